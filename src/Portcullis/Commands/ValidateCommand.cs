using System.CommandLine;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Hosting;
using Portcullis.Proxy.Model;

namespace Portcullis.Commands;

/// <summary>portcullis validate: check a configuration like "nginx -t", certificates included.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var config = ConfigOptions.ConfigFile();
        config.Required = true;
        var running = new Option<string?>("--running")
        {
            Description = "The file the running Portcullis started from (a copy of it): also list the changed keys a reload would leave waiting for a restart.",
        };
        var command = new Command("validate", "Check a configuration file: every error with file, line, key and a hint; exit code 1 on any.") { config, running };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(config)!;
            try
            {
                var loaded = ConfigLoader.LoadFile(file, Environment.GetEnvironmentVariables());
                var result = RuntimeModelBuilder.Build(loaded, dryRun: true);
                foreach (var warning in result.Warnings)
                {
                    Console.Out.WriteLine($"warning: {warning}");
                }

                Console.Out.WriteLine($"{file}: configuration OK ({loaded.Sites.Count} site(s), {loaded.Sites.Sum(s => s.Routes.Count)} route(s)).");
                if (parse.GetValue(running) is { } started)
                {
                    var waiting = RestartOnlySettings.Pending(ConfigLoader.LoadFile(started, Environment.GetEnvironmentVariables()), loaded);
                    Console.Out.WriteLine(waiting.Count == 0
                        ? $"a reload applies every change from {started}."
                        : $"a reload applies every change from {started} but {string.Join(", ", waiting)}: these take effect after a restart.");
                }

                return 0;
            }
            catch (ConfigException ex)
            {
                ConfigErrorsPrinter.Print(Console.Out, ex);
                return 1;
            }
        });
        return command;
    }
}

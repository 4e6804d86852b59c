using Portcullis.Fuzz;
using SharpFuzz;

// Portcullis.Fuzz TARGET                 run under libFuzzer (fuzz/run.sh starts it through the driver)
// Portcullis.Fuzz TARGET --repro FILE... run the target once per file and report what it throws
if (args.Length == 0 || !Targets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Portcullis.Fuzz {string.Join('|', Targets.All.Keys)} [--repro FILE...]");
    return 2;
}

if (args.Length > 1 && args[1] == "--repro")
{
    var failed = 0;
    foreach (var file in args.Skip(2))
    {
        try
        {
            target(File.ReadAllBytes(file));
            Console.WriteLine($"ok    {file}");
        }
        catch (Exception ex)
        {
            failed++;
            Console.WriteLine($"CRASH {file}: {ex}");
        }
    }

    return failed == 0 ? 0 : 1;
}

Fuzzer.LibFuzzer.Run(span => target(span));
return 0;

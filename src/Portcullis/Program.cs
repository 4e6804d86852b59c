using System.CommandLine;
using Portcullis.Commands;

// portcullis: the reverse proxy for self-hosted identity providers. One file per verb in Commands/.

// Socket completions run inline on the epoll threads, with Kestrel's inline scheduling
// (Hosting/PortcullisServer.cs): fewer thread hops per request. Read when the first socket is
// used, so it must be set before that; an explicit setting in the environment wins.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

var root = new RootCommand("Portcullis: a reverse proxy that puts an identity provider such as authentik behind HTTPS, right by default.")
{
    RunCommand.Create(),
    ValidateCommand.Create(),
    DemoCommand.Create(),
    EmulateCommand.Create(),
    CheckCommand.Create(),
    HealthCommand.Create(),
};
return await root.Parse(args).InvokeAsync();

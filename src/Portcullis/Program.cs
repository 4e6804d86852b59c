using System.CommandLine;
using Portcullis.Commands;

// portcullis: the reverse proxy for self-hosted identity providers. One file per verb in Commands/.
var root = new RootCommand("Portcullis: a reverse proxy that puts an identity provider such as authentik behind HTTPS, right by default.")
{
    RunCommand.Create(),
    ValidateCommand.Create(),
    DemoCommand.Create(),
    EmulateCommand.Create(),
    CheckCommand.Create(),
};
return await root.Parse(args).InvokeAsync();

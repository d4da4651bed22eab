using System.CommandLine;
using Appliance.Cli.Commands;
using Appliance.Cli.Output;

namespace Appliance.Cli;

/// <summary>appliancectl's command tree, and the one rule System.CommandLine does not give: usage errors exit 2.</summary>
internal static class CliApp
{
    public static RootCommand Build()
    {
        var options = new GlobalOptions();
        var root = new RootCommand("""
            appliancectl: manage an appliance node through its admin API.

            Talks to one node (--node, default $APPLIANCE_ADMIN or http://127.0.0.1:9900). From another
            machine, pass the node's token with --token-file. Human tables by default, --json for scripts.
            Exit codes: 0 done, 1 the node refused (the message says why), 2 usage error, 3 node unreachable.
            """);
        options.AddTo(root);
        root.Subcommands.Add(StatusCommands.Status(options));
        root.Subcommands.Add(StatusCommands.Cluster(options));
        root.Subcommands.Add(StatusCommands.Vip(options));
        root.Subcommands.Add(BackendCommands.List(options));
        root.Subcommands.Add(BackendCommands.Backend(options));
        root.Subcommands.Add(BackendCommands.TcpGroup(options));
        root.Subcommands.Add(SessionCommands.Create(options));
        root.Subcommands.Add(ConfigCommands.Create(options));
        root.Subcommands.Add(CompletionCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not { ClearsParseErrors: true })
        {
            foreach (var error in parse.Errors)
            {
                CliContext.Error(error.Message, ExitCodes.Usage);
            }

            var command = string.Join(' ', parse.CommandResult.Command.Name == parse.RootCommandResult.Command.Name
                ? [] : AncestryOf(parse.CommandResult));
            await Console.Error.WriteLineAsync($"Run 'appliancectl {(command.Length > 0 ? command + " " : "")}--help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync().ConfigureAwait(false);
    }

    private static IEnumerable<string> AncestryOf(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (var r = result; r?.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent)
        {
            names.Push(r.Command.Name);
        }

        return names;
    }
}

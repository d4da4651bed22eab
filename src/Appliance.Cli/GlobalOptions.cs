using System.CommandLine;

namespace Appliance.Cli;

/// <summary>Options every command takes: which node, which token, which output.</summary>
internal sealed class GlobalOptions
{
    public const string NodeVariable = "APPLIANCE_ADMIN";
    public const string TokenFileVariable = "APPLIANCE_TOKEN_FILE";
    public const string DefaultNode = "http://127.0.0.1:9900";

    public Option<string> Node { get; } = new("--node", "-n")
    {
        Description = $"Admin API of the node to talk to (its Admin.Address). Default: ${NodeVariable}, else {DefaultNode}.",
        HelpName = "URL",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(NodeVariable) is { Length: > 0 } url ? url : DefaultNode,
    };

    public Option<string?> TokenFile { get; } = new("--token-file", "-t")
    {
        Description = $"File holding the node's admin token (the one its Admin.TokenFile names); needed when calling a node from another machine. Default: ${TokenFileVariable}.",
        HelpName = "FILE",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(TokenFileVariable) is { Length: > 0 } file ? file : null,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the API's JSON answer instead of tables (for scripts; errors are printed as problem JSON too).",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Node);
        root.Options.Add(TokenFile);
        root.Options.Add(Json);
    }
}

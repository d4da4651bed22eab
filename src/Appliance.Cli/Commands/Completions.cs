using System.CommandLine.Completions;
using Appliance.Cli.Client;
using Appliance.Management.Contracts;

namespace Appliance.Cli.Commands;

/// <summary>Completions that ask the node (briefly) for real names, so TAB offers <c>web/backend-1</c>.</summary>
internal static class Completions
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>Completes <c>GROUP/BACKEND</c> from the list at <paramref name="root"/> (HTTP clusters or TCP pools).</summary>
    public static Func<CompletionContext, IEnumerable<CompletionItem>> Backends(GlobalOptions options, string root) => context => Backends(options, root, context);

    private static IEnumerable<CompletionItem> Backends(GlobalOptions options, string root, CompletionContext context)
    {
        // Help asks for completions too (to print choices); only a shell's TAB may reach the node.
        if (context is not TextCompletionContext)
        {
            return [];
        }

        var node = context.ParseResult.GetValue(options.Node) ?? GlobalOptions.DefaultNode;
        if (!Uri.TryCreate(node, UriKind.Absolute, out var uri))
        {
            return [];
        }

        string? token = null;
        if (context.ParseResult.GetValue(options.TokenFile) is { } file && File.Exists(file))
        {
            token = File.ReadAllText(file).Trim();
        }

        try
        {
            using var client = new AdminClient(uri, token, Timeout);
            var result = client.GetAsync(root, AdminJson.Context.BackendsResponse, CancellationToken.None).GetAwaiter().GetResult();
            return result.Value?.Clusters.SelectMany(c => c.Backends.Select(b => new CompletionItem($"{c.Id}/{b.Id}")))
                .Where(i => i.Label.StartsWith(context.WordToComplete, StringComparison.Ordinal))
                .ToList() ?? [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            return []; // completion must never fail loudly
        }
    }
}

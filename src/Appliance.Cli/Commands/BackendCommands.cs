using System.CommandLine;
using System.CommandLine.Parsing;
using Appliance.Cli.Output;
using Appliance.Management.Contracts;
using Spectre.Console;

namespace Appliance.Cli.Commands;

/// <summary><c>backends</c> and <c>backend drain|maint|ready|weight</c>.</summary>
internal static class BackendCommands
{
    public static Command List(GlobalOptions options)
    {
        var cluster = new Option<string?>("--cluster", "-c") { Description = "Only this cluster (pool).", HelpName = "CLUSTER" };
        var command = new Command("backends", "List every cluster's backends: health (active/passive), admin state, weight, requests in flight (this node/cluster), requests and errors per second.")
        {
            cluster,
        };
        command.SetAction((parse, cancel) =>
        {
            var cli = new CliContext(parse, options);
            var path = parse.GetValue(cluster) is { } c ? $"{AdminPaths.Backends}?cluster={Uri.EscapeDataString(c)}" : AdminPaths.Backends;
            return cli.RunAsync(client => client.GetAsync(path, AdminJson.Context.BackendsResponse, cancel), r => Print(cli.Console, r));
        });
        return command;
    }

    public static Command Backend(GlobalOptions options)
    {
        var backend = new Command("backend", "Change one backend on the node: drain, maint, ready, weight. Changes apply to this node only until replicated state lands; they last until the configuration file changes that backend's State or Weight, or the node restarts.");
        foreach (var (state, help) in new[]
        {
            ("drain", "Stop sending new sessions to the backend; sticky sessions and requests in flight continue."),
            ("maint", "Send no traffic at all to the backend; its sticky sessions move to other backends."),
            ("ready", "Let the backend take new and sticky traffic again (after maint, slow start ramps it up)."),
        })
        {
            var target = Target(options);
            var command = new Command(state, help) { target };
            command.SetAction((parse, cancel) =>
            {
                var (cluster, id) = Split(parse.GetValue(target)!);
                var cli = new CliContext(parse, options);
                return cli.RunAsync(
                    client => client.SendAsync(HttpMethod.Post, AdminPaths.BackendState(cluster, id, state), null, AdminJson.Context.BackendActionResult, cancel),
                    r => PrintAction(cli.Console, r));
            });
            backend.Subcommands.Add(command);
        }

        var weightTarget = Target(options);
        var weight = new Argument<int>("weight")
        {
            Description = "0 (no new traffic) to 256.",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value <= 256)
                {
                    return value;
                }

                result.AddError($"'{text}' is not a weight: give a whole number from 0 (no new traffic) to 256.");
                return 0;
            },
        };
        var setWeight = new Command("weight", "Override the backend's weight on this node until the configuration file changes it.") { weightTarget, weight };
        setWeight.SetAction((parse, cancel) =>
        {
            var (cluster, id) = Split(parse.GetValue(weightTarget)!);
            var cli = new CliContext(parse, options);
            return cli.RunAsync(
                client => client.PostJsonAsync(HttpMethod.Put, AdminPaths.BackendWeight(cluster, id), new WeightRequest(parse.GetValue(weight)),
                    AdminJson.Context.WeightRequest, AdminJson.Context.BackendActionResult, cancel),
                r => PrintAction(cli.Console, r));
        });
        backend.Subcommands.Add(setWeight);
        return backend;
    }

    /// <summary>The <c>CLUSTER/BACKEND</c> argument, checked while parsing so a typo is a usage error (exit 2).</summary>
    private static Argument<string> Target(GlobalOptions options)
    {
        var target = new Argument<string>("cluster/backend") { Description = "The backend, as CLUSTER/BACKEND (e.g. web/backend-1; see appliancectl backends)." };
        target.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>() ?? "";
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == text.Length - 1)
            {
                result.AddError($"'{text}' is not CLUSTER/BACKEND: write the cluster id, a slash and the backend id, e.g. web/backend-1.");
            }
        });
        target.CompletionSources.Add(Completions.Backends(options));
        return target;
    }

    private static (string Cluster, string Backend) Split(string target)
    {
        var slash = target.IndexOf('/', StringComparison.Ordinal);
        return (target[..slash], target[(slash + 1)..]);
    }

    private static void PrintAction(IAnsiConsole console, BackendActionResult r)
    {
        console.MarkupLine(Markup.Escape(r.Message));
        Print(console, new BackendsResponse([new ClusterInfo(r.Backend.Cluster, "", new QueueInfo(0, 0, 0, 0), [r.Backend])]), summary: false);
    }

    private static void Print(IAnsiConsole console, BackendsResponse response, bool summary = true)
    {
        if (response.Clusters.Count == 0)
        {
            console.MarkupLine("[grey]no clusters configured[/]");
            return;
        }

        foreach (var cluster in response.Clusters)
        {
            var table = new Table().RoundedBorder()
                .AddColumns("Backend", "Address", "Active", "Passive", "Admin")
                .AddColumn(new TableColumn("Weight").RightAligned())
                .AddColumn(new TableColumn("In flight").RightAligned())
                .AddColumn(new TableColumn("Req/s").RightAligned())
                .AddColumn(new TableColumn("Err/s").RightAligned())
                .AddColumn(new TableColumn("Requests").RightAligned())
                .AddColumn(new TableColumn("Errors").RightAligned());
            if (summary)
            {
                table.Title = new TableTitle(
                    $"cluster {cluster.Id}: {cluster.Policy}, queue {cluster.Queue.Waiting}/{cluster.Queue.MaxLength} (rejected {cluster.Queue.Rejected}, timed out {cluster.Queue.TimedOut})");
            }

            foreach (var b in cluster.Backends)
            {
                var weight = b.Weight == b.ConfiguredWeight ? $"{b.Weight}" : $"{b.Weight} (file {b.ConfiguredWeight})";
                table.AddRow(
                    Markup.Escape(b.Id),
                    Markup.Escape(b.Address),
                    Format.Health(b.Health.Active),
                    Format.Health(b.Health.Passive),
                    Format.AdminState(b.AdminState),
                    weight,
                    $"{b.InFlight.Local}/{b.InFlight.Cluster}",
                    Format.Rate(b.RequestsPerSecond),
                    Format.Rate(b.ErrorsPerSecond),
                    Format.Number(b.RequestsTotal),
                    Format.Number(b.ErrorsTotal));
            }

            console.Write(table);
        }
    }
}

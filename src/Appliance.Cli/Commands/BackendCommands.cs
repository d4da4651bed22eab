using System.CommandLine;
using System.CommandLine.Parsing;
using Appliance.Cli.Output;
using Appliance.Management.Contracts;
using Spectre.Console;

namespace Appliance.Cli.Commands;

/// <summary>
/// <c>backends</c> and <c>backend drain|maint|ready|weight</c> for HTTP clusters, and the same under
/// <c>tcp</c> for TCP pools (their own id space, so a pool may share an HTTP cluster's name).
/// </summary>
internal static class BackendCommands
{
    private static readonly Layer Http = new(AdminPaths.Backends, "cluster", "CLUSTER", "web/backend-1", "Requests");
    private static readonly Layer Tcp = new(AdminPaths.TcpBackends, "pool", "POOL", "db/pg-1", "Connections");

    public static Command List(GlobalOptions options) => List(options, Http,
        "List every HTTP cluster's backends: health (active/passive), admin state, weight, requests in flight (this node/cluster), requests and errors per second.");

    public static Command Backend(GlobalOptions options) => Backend(options, Http,
        "Change one HTTP backend on the node: drain, maint, ready, weight. Changes apply to this node only; they last until the configuration file changes that backend's State or Weight, or the node restarts.");

    /// <summary><c>tcp backends</c> and <c>tcp backend ...</c>.</summary>
    public static Command TcpGroup(GlobalOptions options) => new("tcp", "TCP (layer 4) pools: list their backends, or drain, maint, ready, weight one of them.")
    {
        List(options, Tcp, "List every TCP pool's backends: health (active/passive), admin state, weight, open connections (this node/cluster), connections and failed connects per second."),
        Backend(options, Tcp, "Change one TCP backend on the node: drain (no new connections; open ones and sticky clients continue), maint, ready, weight. Node-local, until the file changes it or the node restarts."),
    };

    private static Command List(GlobalOptions options, Layer layer, string description)
    {
        var cluster = new Option<string?>("--" + layer.Noun, "-" + layer.Noun[0]) { Description = $"Only this {layer.Noun}.", HelpName = layer.Placeholder };
        var command = new Command("backends", description)
        {
            cluster,
        };
        command.SetAction((parse, cancel) =>
        {
            var cli = new CliContext(parse, options);
            var path = parse.GetValue(cluster) is { } c ? $"{layer.Root}?cluster={Uri.EscapeDataString(c)}" : layer.Root;
            return cli.RunAsync(client => client.GetAsync(path, AdminJson.Context.BackendsResponse, cancel), r => Print(cli.Console, layer, r));
        });
        return command;
    }

    private static Command Backend(GlobalOptions options, Layer layer, string description)
    {
        var backend = new Command("backend", description);
        foreach (var (state, help) in new[]
        {
            ("drain", "Stop sending new sessions to the backend; sticky sessions and requests in flight continue."),
            ("maint", "Send no traffic at all to the backend; its sticky sessions move to other backends."),
            ("ready", "Let the backend take new and sticky traffic again (after maint, slow start ramps it up)."),
        })
        {
            var target = Target(options, layer);
            var command = new Command(state, help) { target };
            command.SetAction((parse, cancel) =>
            {
                var (cluster, id) = Split(parse.GetValue(target)!);
                var cli = new CliContext(parse, options);
                return cli.RunAsync(
                    client => client.SendAsync(HttpMethod.Post, AdminPaths.BackendState(cluster, id, state, layer.Root), null, AdminJson.Context.BackendActionResult, cancel),
                    r => PrintAction(cli.Console, layer, r));
            });
            backend.Subcommands.Add(command);
        }

        var weightTarget = Target(options, layer);
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
                client => client.PostJsonAsync(HttpMethod.Put, AdminPaths.BackendWeight(cluster, id, layer.Root), new WeightRequest(parse.GetValue(weight)),
                    AdminJson.Context.WeightRequest, AdminJson.Context.BackendActionResult, cancel),
                r => PrintAction(cli.Console, layer, r));
        });
        backend.Subcommands.Add(setWeight);
        return backend;
    }

    /// <summary>The <c>CLUSTER/BACKEND</c> argument, checked while parsing so a typo is a usage error (exit 2).</summary>
    private static Argument<string> Target(GlobalOptions options, Layer layer)
    {
        var target = new Argument<string>($"{layer.Noun}/backend")
        {
            Description = $"The backend, as {layer.Placeholder}/BACKEND (e.g. {layer.Example}; see appliancectl {(layer == Tcp ? "tcp " : "")}backends).",
        };
        target.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>() ?? "";
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == text.Length - 1)
            {
                result.AddError($"'{text}' is not {layer.Placeholder}/BACKEND: write the {layer.Noun} id, a slash and the backend id, e.g. {layer.Example}.");
            }
        });
        target.CompletionSources.Add(Completions.Backends(options, layer.Root));
        return target;
    }

    private static (string Cluster, string Backend) Split(string target)
    {
        var slash = target.IndexOf('/', StringComparison.Ordinal);
        return (target[..slash], target[(slash + 1)..]);
    }

    private static void PrintAction(IAnsiConsole console, Layer layer, BackendActionResult r)
    {
        console.MarkupLine(Markup.Escape(r.Message));
        Print(console, layer, new BackendsResponse([new ClusterInfo(r.Backend.Cluster, "", new QueueInfo(0, 0, 0, 0), [r.Backend])]), summary: false);
    }

    private static void Print(IAnsiConsole console, Layer layer, BackendsResponse response, bool summary = true)
    {
        if (response.Clusters.Count == 0)
        {
            console.MarkupLine($"[grey]no {layer.Noun}s configured[/]");
            return;
        }

        var per = layer == Tcp ? "Conn" : "Req";

        foreach (var cluster in response.Clusters)
        {
            var table = new Table().RoundedBorder()
                .AddColumns("Backend", "Address", "Active", "Passive", "Admin")
                .AddColumn(new TableColumn("Weight").RightAligned())
                .AddColumn(new TableColumn("In flight").RightAligned())
                .AddColumn(new TableColumn(per + "/s").RightAligned())
                .AddColumn(new TableColumn("Err/s").RightAligned())
                .AddColumn(new TableColumn(layer.Counted).RightAligned())
                .AddColumn(new TableColumn("Errors").RightAligned());
            if (summary)
            {
                table.Title = new TableTitle(
                    $"{layer.Noun} {cluster.Id}: {cluster.Policy}, queue {cluster.Queue.Waiting}/{cluster.Queue.MaxLength} (rejected {cluster.Queue.Rejected}, timed out {cluster.Queue.TimedOut})");
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

    /// <summary>HTTP clusters or TCP pools: where their routes are and what the CLI calls them.</summary>
    private sealed record Layer(string Root, string Noun, string Placeholder, string Example, string Counted);
}

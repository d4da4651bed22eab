using System.CommandLine;
using Appliance.Cli.Output;
using Appliance.Management.Contracts;
using Spectre.Console;

namespace Appliance.Cli.Commands;

/// <summary><c>status</c>, <c>cluster members</c>, <c>vip list</c>, <c>vip move</c>.</summary>
internal static class StatusCommands
{
    public static Command Status(GlobalOptions options)
    {
        var command = new Command("status", "Show the node: name, version, uptime, readiness and the configuration revision in force.");
        command.SetAction((parse, cancel) =>
        {
            var cli = new CliContext(parse, options);
            return cli.RunAsync(client => client.GetAsync(AdminPaths.Status, AdminJson.Context.NodeStatus, cancel), status => Print(cli.Console, status));
        });
        return command;
    }

    public static Command Cluster(GlobalOptions options)
    {
        var members = new Command("members", "List the cluster's members and their state as this node sees them (says 'not configured' while the node runs alone).");
        members.SetAction((parse, cancel) =>
        {
            var cli = new CliContext(parse, options);
            return cli.RunAsync(client => client.GetAsync(AdminPaths.ClusterMembers, AdminJson.Context.MembersResponse, cancel), r =>
            {
                if (!r.Configured)
                {
                    cli.Console.MarkupLine($"[grey]{Markup.Escape(r.Message ?? "cluster not configured")}[/]");
                    return;
                }

                var table = new Table().RoundedBorder().AddColumns("Member", "Address", "State");
                foreach (var m in r.Members)
                {
                    table.AddRow(Markup.Escape(m.Name + (m.Self ? " (this node)" : "")), Markup.Escape(m.Address), Markup.Escape(m.State));
                }

                cli.Console.Write(table);
            });
        });
        return new Command("cluster", "Cluster membership.") { members };
    }

    public static Command Vip(GlobalOptions options)
    {
        var list = new Command("list", "List the virtual IPs, who holds each and why (says 'not configured' while the node has none).");
        list.SetAction((parse, cancel) =>
        {
            var cli = new CliContext(parse, options);
            return cli.RunAsync(client => client.GetAsync(AdminPaths.Vips, AdminJson.Context.VipsResponse, cancel), r =>
            {
                if (!r.Configured)
                {
                    cli.Console.MarkupLine($"[grey]{Markup.Escape(r.Message ?? "VIPs not configured")}[/]");
                    return;
                }

                var table = new Table().RoundedBorder().AddColumns("VIP", "Owner", "State", "Priorities", "Last transition", "Reason");
                foreach (var v in r.Vips)
                {
                    table.AddRow(Markup.Escape(v.Address), Markup.Escape(v.Owner ?? "-"), Markup.Escape(v.State),
                        Markup.Escape(string.Join(", ", v.Priorities.Select(p => $"{p.Key}={p.Value}"))), Format.Time(v.LastTransition), Markup.Escape(v.Reason ?? ""));
                }

                cli.Console.Write(table);
            });
        });

        var vip = new Argument<string>("vip") { Description = "The VIP to move, as vip list shows it (e.g. 198.18.0.10/24 or 198.18.0.10)." };
        var to = new Option<string?>("--to") { Description = "The node that should take it (default: the best-ranked other node)." };
        var move = new Command("move", "Hand a VIP this node holds to another node at once (run it against the holder's admin API). This node then ranks last for it until it holds it again.") { vip, to };
        move.SetAction((parse, cancel) =>
        {
            var cli = new CliContext(parse, options);
            return cli.RunAsync(
                client => client.PostJsonAsync(HttpMethod.Post, AdminPaths.VipMove(parse.GetValue(vip)!), new VipMoveRequest(parse.GetValue(to)),
                    AdminJson.Context.VipMoveRequest, AdminJson.Context.VipMoveResult, cancel),
                r => cli.Console.MarkupLine(Markup.Escape(r.Message)));
        });
        return new Command("vip", "Virtual IPs and their owners.") { list, move };
    }

    private static void Print(IAnsiConsole console, NodeStatus s)
    {
        var ready = s.Ready ? "[green]ready[/]" : $"[red]not ready[/]: {Markup.Escape(string.Join("; ", s.NotReadyReasons))}";
        var last = s.Config.LastReload is { } r
            ? $"{Format.Time(r.At)} ({Markup.Escape(r.Trigger)}): {(r.Applied ? "[green]applied[/]" : $"[red]refused[/], {r.Problems} problem(s)")}"
            : "none";
        console.Write(Format.Pairs(
        [
            ("Node", Markup.Escape(s.Name)),
            ("Version", Markup.Escape(s.Version)),
            ("Uptime", $"{Format.Duration(s.UptimeSeconds)} (since {Format.Time(s.StartedAt)})"),
            ("State", ready),
            ("Config", $"revision {s.Config.Revision}, applied {Format.Time(s.Config.AppliedAt)}"),
            ("Config file", Markup.Escape(s.Config.Path ?? "none (started without a file)")),
            ("Last reload", last),
            ("Cluster", Markup.Escape(s.Cluster)),
        ]));
    }
}

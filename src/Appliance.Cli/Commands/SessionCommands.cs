using System.CommandLine;
using Appliance.Cli.Output;
using Appliance.Management.Contracts;
using Spectre.Console;

namespace Appliance.Cli.Commands;

/// <summary><c>sessions get KEY</c>.</summary>
internal static class SessionCommands
{
    public static Command Create(GlobalOptions options)
    {
        var key = new Argument<string>("key")
        {
            Description = "The session's table key: http/CLUSTER/COOKIE-VALUE for HTTP (the cookie is the one the cluster's SessionAffinity.AffinityKeyName names).",
        };
        var get = new Command("get", "Show which backend a sticky session is pinned to, and when it expires. Looking does not extend the session.") { key };
        get.SetAction((parse, cancel) =>
        {
            var cli = new CliContext(parse, options);
            return cli.RunAsync(client => client.GetAsync(AdminPaths.Session(parse.GetValue(key)!), AdminJson.Context.SessionInfo, cancel), s =>
                cli.Console.Write(Format.Pairs(
                [
                    ("Session", Markup.Escape(s.Key)),
                    ("Backend", Markup.Escape(s.Backend)),
                    ("Last seen", Format.Time(s.LastSeen)),
                    ("Idle timeout", Format.Duration(s.IdleTimeoutSeconds)),
                    ("Expires", Format.Time(s.ExpiresAt)),
                ])));
        });
        return new Command("sessions", "Sticky sessions.") { get };
    }
}

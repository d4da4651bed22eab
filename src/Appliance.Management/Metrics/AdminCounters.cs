using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Appliance.Management.Metrics;

/// <summary>The admin listener's own counters: refused callers by reason, actions by name.</summary>
internal sealed class AdminCounters
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _refused = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<long>> _actions = new(StringComparer.Ordinal);

    public void Refused(string reason) => Increment(_refused, reason);

    public void Action(string action) => Increment(_actions, action);

    public long RefusedCount(string reason) => _refused.TryGetValue(reason, out var box) ? Volatile.Read(ref box.Value) : 0;

    public void Write(PrometheusWriter writer)
    {
        writer.Counter("appliance_admin_unauthorized_total",
            "Admin API requests refused with 401 or 403, by reason (missing_token, wrong_token, token_not_configured, not_loopback_host, cross_origin).");
        foreach (var reason in AuthReasons.All)
        {
            writer.Sample("appliance_admin_unauthorized_total", RefusedCount(reason), ("reason", reason));
        }

        writer.Counter("appliance_admin_actions_total", "Admin actions performed (backend state and weight changes, reloads), by action.");
        foreach (var (action, box) in _actions.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.Sample("appliance_admin_actions_total", Volatile.Read(ref box.Value), ("action", action));
        }
    }

    private static void Increment(ConcurrentDictionary<string, StrongBox<long>> map, string key) =>
        Interlocked.Increment(ref map.GetOrAdd(key, static _ => new StrongBox<long>()).Value);
}

/// <summary>Why a caller was refused; also the <c>reason</c> label of the metric.</summary>
internal static class AuthReasons
{
    public const string MissingToken = "missing_token";
    public const string WrongToken = "wrong_token";
    public const string TokenNotConfigured = "token_not_configured";
    public const string NotLoopbackHost = "not_loopback_host";
    public const string CrossOrigin = "cross_origin";

    public static readonly string[] All = [MissingToken, WrongToken, TokenNotConfigured, NotLoopbackHost, CrossOrigin];
}

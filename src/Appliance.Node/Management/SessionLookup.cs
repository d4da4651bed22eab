using Appliance.Core.State;
using Appliance.Management.Contracts;
using Appliance.Management.Sources;

namespace Appliance.Node.Management;

/// <summary>
/// Sticky session lookup over <see cref="ISessionStore"/>, without refreshing the session. An HTTP
/// key may be given with the whole cookie value (<c>http/web/KEY.HINT</c>, as an operator copies
/// it from a browser): the hint is not part of the table key and is dropped.
/// </summary>
internal sealed class SessionLookup(ISessionStore store, TimeProvider time) : ISessionLookup
{
    public SessionInfo? Find(string key)
    {
        var tableKey = WithoutHint(key);
        return store.TryPeek(tableKey, time.GetUtcNow(), out var entry)
            ? new SessionInfo(tableKey, entry.Backend, entry.LastSeen, entry.IdleTimeout.TotalSeconds, entry.ExpiresAt)
            : null;
    }

    private static string WithoutHint(string key)
    {
        if (!key.StartsWith("http/", StringComparison.Ordinal))
        {
            return key;
        }

        var slash = key.LastIndexOf('/');
        var dot = key.IndexOf('.', slash + 1);
        return dot < 0 ? key : key[..dot];
    }
}

using Appliance.Core.State;
using Appliance.Management.Contracts;
using Appliance.Management.Sources;

namespace Appliance.Node.Management;

/// <summary>Sticky session lookup over <see cref="ISessionStore"/>, without refreshing the session.</summary>
internal sealed class SessionLookup(ISessionStore store, TimeProvider time) : ISessionLookup
{
    public SessionInfo? Find(string key) =>
        store.TryPeek(key, time.GetUtcNow(), out var entry)
            ? new SessionInfo(key, entry.Backend, entry.LastSeen, entry.IdleTimeout.TotalSeconds, entry.ExpiresAt)
            : null;
}

namespace Appliance.Core.State;

/// <summary>
/// Sticky-session table: affinity key -> backend. In memory on a single node; replicated across
/// the cluster once the cluster is configured. Keys are namespaced by the caller
/// (e.g. <c>http/{cluster}/{cookie}</c>) so HTTP and TCP tables never collide.
/// </summary>
public interface ISessionStore
{
    /// <summary>Finds a live session and marks it used at <paramref name="now"/>; expired sessions are not found.</summary>
    bool TryGet(string key, DateTimeOffset now, out SessionEntry entry);

    /// <summary>
    /// Finds a live session without marking it used, for an operator looking at it. The default
    /// falls back to <see cref="TryGet"/>; stores override it so a lookup does not extend a session.
    /// </summary>
    bool TryPeek(string key, DateTimeOffset now, out SessionEntry entry) => TryGet(key, now, out entry);

    /// <summary>Creates the session, or re-pins it to another backend.</summary>
    void Put(string key, string backend, TimeSpan idleTimeout, DateTimeOffset now);

    /// <summary>Forgets a session; false when there was none.</summary>
    bool Remove(string key);

    /// <summary>Live and not yet swept sessions.</summary>
    int Count { get; }
}

/// <summary>Where a session is pinned and until when it lives without use.</summary>
public readonly record struct SessionEntry(string Backend, DateTimeOffset LastSeen, TimeSpan IdleTimeout)
{
    public DateTimeOffset ExpiresAt => LastSeen + IdleTimeout;

    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;
}

using Appliance.Core.State;

namespace Appliance.Replication.Sessions;

/// <summary>A replicated sticky session: where it is pinned, when it was last used, how long it may idle (ms).</summary>
internal readonly record struct SessionValue(string Backend, long LastSeenMs, long IdleTimeoutMs) : IComparable<SessionValue>
{
    public long ExpiresAtMs => LastSeenMs + IdleTimeoutMs;

    public bool IsExpired(long nowMs) => nowMs >= ExpiresAtMs;

    public SessionEntry ToEntry() =>
        new(Backend, DateTimeOffset.FromUnixTimeMilliseconds(LastSeenMs), TimeSpan.FromMilliseconds(IdleTimeoutMs));

    public int CompareTo(SessionValue other)
    {
        var byBackend = string.CompareOrdinal(Backend, other.Backend);
        if (byBackend != 0)
        {
            return byBackend;
        }

        var byLastSeen = LastSeenMs.CompareTo(other.LastSeenMs);
        return byLastSeen != 0 ? byLastSeen : IdleTimeoutMs.CompareTo(other.IdleTimeoutMs);
    }
}

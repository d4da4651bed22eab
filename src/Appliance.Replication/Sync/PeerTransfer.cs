using Akka.Actor;
using Appliance.Replication.Wire;

namespace Appliance.Replication.Sync;

/// <summary>A repair or full-state transfer to one peer, produced lazily a message at a time.</summary>
internal sealed class PeerTransfer(Address to, bool fullSync, IEnumerable<SessionData> messages) : IDisposable
{
    private readonly IEnumerator<SessionData> _messages = messages.GetEnumerator();

    public Address To { get; } = to;

    public bool FullSync { get; } = fullSync;

    /// <summary>The next message, or null when the transfer is done.</summary>
    public SessionData? Next() => _messages.MoveNext() ? _messages.Current : null;

    public void Dispose() => _messages.Dispose();
}

/// <summary>
/// Token bucket in entries: refilled by elapsed time at the configured rate, holding at most a
/// tenth of a second's worth so an idle period does not turn into a burst.
/// </summary>
internal sealed class EntryBudget(int perSecond)
{
    private double _tokens = perSecond / 10.0;
    private long _lastMs = -1;

    public bool HasRoom => _tokens > 0;

    public void Refill(long nowMs)
    {
        if (_lastMs >= 0)
        {
            _tokens = Math.Min(perSecond / 10.0, _tokens + ((nowMs - _lastMs) * perSecond / 1000.0));
        }

        _lastMs = nowMs;
    }

    /// <summary>May go below zero: a message is never split, the next ones wait instead.</summary>
    public void Spend(int entries) => _tokens -= Math.Max(1, entries);
}

/// <summary>
/// The send window towards one peer: transfer messages sent and not yet acknowledged. When no
/// acknowledgement came for a while the messages are taken as lost (the digest repairs them)
/// and the window opens again.
/// </summary>
internal sealed class SendWindow
{
    private long _nextSeq;

    public int InFlight { get; private set; }

    public long LastProgressMs { get; private set; }

    public long Sent(long nowMs)
    {
        if (InFlight == 0)
        {
            LastProgressMs = nowMs;
        }

        InFlight++;
        return ++_nextSeq;
    }

    public void Acked(long seq, long nowMs)
    {
        if (seq > 0 && seq <= _nextSeq && InFlight > 0)
        {
            InFlight--;
            LastProgressMs = nowMs;
        }
    }

    /// <summary>Whether another message may go: under <paramref name="size"/> in flight, or the ones in flight timed out.</summary>
    public bool HasRoom(int size, long nowMs, long timeoutMs)
    {
        if (InFlight > 0 && nowMs - LastProgressMs >= timeoutMs)
        {
            InFlight = 0;
        }

        return InFlight < size;
    }
}

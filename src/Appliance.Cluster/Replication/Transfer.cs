using Appliance.Cluster.Membership;
using Appliance.Cluster.Replication.Messages;

namespace Appliance.Cluster.Replication;

/// <summary>A repair or full-state transfer to one peer, sent a few messages at a time within the budget.</summary>
internal sealed class Transfer(UniqueAddress to, bool fullSync, IEnumerable<ReplicaData> messages) : IDisposable
{
    private readonly IEnumerator<ReplicaData> _messages = messages.GetEnumerator();

    public UniqueAddress To { get; } = to;

    public bool FullSync { get; } = fullSync;

    /// <summary>The next message, or null when the transfer is done.</summary>
    public ReplicaData? Next() => _messages.MoveNext() ? _messages.Current : null;

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

namespace Appliance.Cluster.Transport;

/// <summary>
/// Per sender incarnation, the highest frame sequence accepted; a frame must carry a higher one.
/// Holds at most <c>capacity</c> senders and forgets the least recently heard when full (only
/// authenticated frames reach it, so only key holders can make it forget). Thread-safe.
/// </summary>
internal sealed class ReplayWindow
{
    public const int DefaultCapacity = 4096;

    private readonly int _capacity;
    private readonly Dictionary<ulong, LinkedListNode<(ulong Sender, ulong Highest)>> _senders = [];
    private readonly LinkedList<(ulong Sender, ulong Highest)> _recent = new();
    private readonly Lock _lock = new();

    public ReplayWindow(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _senders.Count;
            }
        }
    }

    /// <summary>The highest sequence accepted from <paramref name="sender"/>, 0 when none (or forgotten).</summary>
    public ulong Highest(ulong sender)
    {
        lock (_lock)
        {
            return _senders.TryGetValue(sender, out var node) ? node.Value.Highest : 0;
        }
    }

    /// <summary>Whether <paramref name="sequence"/> would be accepted now (a cheap check before decoding).</summary>
    public bool IsFresh(ulong sender, ulong sequence) => sequence > Highest(sender);

    /// <summary>Accepts <paramref name="sequence"/> if it is above the highest so far, and remembers it.</summary>
    public bool TryAdvance(ulong sender, ulong sequence)
    {
        lock (_lock)
        {
            if (_senders.TryGetValue(sender, out var node))
            {
                if (sequence <= node.Value.Highest)
                {
                    return false;
                }

                node.Value = (sender, sequence);
                _recent.Remove(node);
                _recent.AddFirst(node);
                return true;
            }

            if (sequence == 0)
            {
                return false;
            }

            if (_senders.Count >= _capacity)
            {
                var oldest = _recent.Last!;
                _recent.RemoveLast();
                _senders.Remove(oldest.Value.Sender);
            }

            _senders[sender] = _recent.AddFirst((sender, sequence));
            return true;
        }
    }
}

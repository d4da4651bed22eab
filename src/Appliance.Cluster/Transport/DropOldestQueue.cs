namespace Appliance.Cluster.Transport;

/// <summary>
/// A bounded FIFO that never blocks a writer: when full, it drops the oldest <em>expendable</em>
/// item (gossip, heartbeats: the next round supersedes them), or the oldest item when none is
/// expendable. One or more readers wait asynchronously. Thread-safe.
/// </summary>
internal sealed class DropOldestQueue<T>
{
    private readonly LinkedList<T> _items = new();
    private readonly Func<T, bool> _isExpendable;
    private readonly Lock _lock = new();
    private TaskCompletionSource<bool>? _waiter;
    private int _expendable;
    private bool _completed;

    public DropOldestQueue(int capacity, Func<T, bool> isExpendable)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _isExpendable = isExpendable;
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return _completed && _items.Count == 0;
            }
        }
    }

    /// <summary>Adds an item; returns false when one had to be dropped to make room (or the queue is completed and took nothing).</summary>
    public bool Enqueue(T item)
    {
        TaskCompletionSource<bool>? waiter;
        bool dropped = false;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            if (_items.Count >= Capacity)
            {
                DropOne();
                dropped = true;
            }

            _items.AddLast(item);
            if (_isExpendable(item))
            {
                _expendable++;
            }

            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult(true);
        return !dropped;
    }

    public bool TryDequeue(out T item)
    {
        lock (_lock)
        {
            if (_items.First is not { } first)
            {
                item = default!;
                return false;
            }

            _items.RemoveFirst();
            item = first.Value;
            if (_isExpendable(item))
            {
                _expendable--;
            }

            return true;
        }
    }

    public bool TryPeek(out T item)
    {
        lock (_lock)
        {
            item = _items.First is { } first ? first.Value : default!;
            return _items.Count > 0;
        }
    }

    /// <summary>True when an item is ready; false once the queue is completed and empty.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> waiter;
        lock (_lock)
        {
            if (_items.Count > 0)
            {
                return ValueTask.FromResult(true);
            }

            if (_completed)
            {
                return ValueTask.FromResult(false);
            }

            waiter = _waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return new ValueTask<bool>(waiter.Task.WaitAsync(cancellationToken));
    }

    /// <summary>No more items will be added; waiting readers see false once the rest is read.</summary>
    public void Complete()
    {
        TaskCompletionSource<bool>? waiter;
        lock (_lock)
        {
            _completed = true;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult(false);
    }

    private void DropOne()
    {
        var victim = _items.First!;
        if (_expendable > 0)
        {
            while (!_isExpendable(victim.Value))
            {
                victim = victim.Next!;
            }

            _expendable--;
        }

        _items.Remove(victim);
    }
}

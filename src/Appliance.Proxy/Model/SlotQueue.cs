using System.Collections.Concurrent;

namespace Appliance.Proxy.Model;

/// <summary>
/// The bounded wait for a backend slot when every eligible backend is at MaxRequests. A waiter is
/// woken whenever any slot in the cluster frees, then competes for it again; the queue only bounds
/// how many wait and for how long (HAProxy's maxqueue and timeout queue).
/// </summary>
internal sealed class SlotQueue
{
    private readonly ConcurrentQueue<TaskCompletionSource> _waiters = new();
    private int _waiting;
    private long _timedOut;
    private long _rejected;

    public int Waiting => Volatile.Read(ref _waiting);
    public long TimedOut => Interlocked.Read(ref _timedOut);
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Joins the queue; null when it is full (the caller answers 503 at once).</summary>
    public TaskCompletionSource? TryEnter(int maxLength)
    {
        if (Interlocked.Increment(ref _waiting) > maxLength)
        {
            Interlocked.Decrement(ref _waiting);
            Interlocked.Increment(ref _rejected);
            return null;
        }

        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Enqueue(waiter);
        return waiter;
    }

    /// <summary>Waits for a wake-up; false when the timeout passed first.</summary>
    public async Task<bool> WaitAsync(TaskCompletionSource waiter, TimeSpan timeout, TimeProvider time, CancellationToken cancel)
    {
        try
        {
            await waiter.Task.WaitAsync(timeout, time, cancel).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            Interlocked.Increment(ref _timedOut);
            return false;
        }
        finally
        {
            waiter.TrySetCanceled(); // a wake-up that arrives later goes to the next waiter instead
        }
    }

    public void Leave() => Interlocked.Decrement(ref _waiting);

    /// <summary>A slot freed: wake the oldest live waiter.</summary>
    public void Signal()
    {
        while (_waiters.TryDequeue(out var waiter))
        {
            if (waiter.TrySetResult())
            {
                return;
            }
        }
    }
}

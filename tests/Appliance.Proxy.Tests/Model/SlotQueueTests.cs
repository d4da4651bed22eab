using Microsoft.Extensions.Time.Testing;
using Appliance.Proxy.Model;
using Appliance.Tests.Support;

namespace Appliance.Tests.Model;

public sealed class SlotQueueTests
{
    private static readonly TimeSpan QueueTimeout = TimeSpan.FromSeconds(5);

    // Only a guard against a hung test; the manual clock decides every timeout under test.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(10);

    [Fact]
    public void TryEnter_Full_RefusedAndCounted()
    {
        var queue = new SlotQueue();

        Assert.NotNull(queue.TryEnter(2));
        Assert.NotNull(queue.TryEnter(2));
        Assert.Null(queue.TryEnter(2));

        Assert.Equal(2, queue.Waiting);
        Assert.Equal(1, queue.Rejected);
    }

    [Fact]
    public void Leave_FreesAPlaceInTheQueue()
    {
        var queue = new SlotQueue();
        queue.TryEnter(1);

        queue.Leave();

        Assert.Equal(0, queue.Waiting);
        Assert.NotNull(queue.TryEnter(1));
    }

    [Fact]
    public void TryEnter_ZeroLength_AlwaysRefused()
    {
        var queue = new SlotQueue();

        Assert.Null(queue.TryEnter(0));
        Assert.Equal(0, queue.Waiting);
    }

    [Fact]
    public void Signal_TwoWaiters_WakesOnlyTheOldest()
    {
        var queue = new SlotQueue();
        var first = queue.TryEnter(10)!;
        var second = queue.TryEnter(10)!;

        queue.Signal();

        Assert.True(first.Task.IsCompletedSuccessfully);
        Assert.False(second.Task.IsCompleted);

        queue.Signal();

        Assert.True(second.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WaitAsync_SignalledBeforeTimeout_True()
    {
        var queue = new SlotQueue();
        var time = new FakeTimeProvider();
        var waiter = queue.TryEnter(10)!;
        var wait = queue.WaitAsync(waiter, QueueTimeout, time, CancellationToken.None);

        queue.Signal();

        Assert.True(await wait.WaitAsync(Hang));
        Assert.Equal(0, queue.TimedOut);
    }

    [Fact]
    public async Task WaitAsync_NoSignal_FalseExactlyAtTimeout()
    {
        var queue = new SlotQueue();
        var time = new FakeTimeProvider();
        var waiter = queue.TryEnter(10)!;
        var wait = queue.WaitAsync(waiter, QueueTimeout, time, CancellationToken.None);

        time.Advance(QueueTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(wait.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(await wait.WaitAsync(Hang));
        Assert.Equal(1, queue.TimedOut);
    }

    [Fact]
    public async Task Signal_OldestTimedOut_WakeGoesToNextWaiter()
    {
        var queue = new SlotQueue();
        var time = new FakeTimeProvider();
        var stale = queue.TryEnter(10)!;
        var staleWait = queue.WaitAsync(stale, QueueTimeout, time, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        var live = queue.TryEnter(10)!;
        var liveWait = queue.WaitAsync(live, QueueTimeout, time, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(4)); // the first waiter's 5 s are up, the second has 1 s left
        Assert.False(await staleWait.WaitAsync(Hang));

        queue.Signal();

        Assert.True(await liveWait.WaitAsync(Hang));
    }

    [Fact]
    public async Task WaitAsync_Cancelled_ThrowsAndDoesNotCountTimeout()
    {
        var queue = new SlotQueue();
        var time = new FakeTimeProvider();
        using var cancel = new CancellationTokenSource();
        var waiter = queue.TryEnter(10)!;
        var wait = queue.WaitAsync(waiter, QueueTimeout, time, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Hang));
        Assert.Equal(0, queue.TimedOut);
        Assert.True(waiter.Task.IsCanceled); // a later Signal skips it
    }
}

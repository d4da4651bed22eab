using Appliance.Proxy.Tcp.Loop;
using Appliance.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Tests.Tcp;

/// <summary>The event loop's request queue: what other threads post runs once, on the loop's own thread.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // LinuxFact skips it elsewhere
public sealed class EventLoopTests
{
    [LinuxFact]
    public async Task Post_FromManyThreads_EachRequestRunsOnceOnTheLoopThread()
    {
        using var loop = EventLoop.TryStart(0, NullLogger.Instance) ?? throw new InvalidOperationException("epoll unavailable");
        const int Threads = 4;
        const int PerThread = 5_000;
        var handlers = Enumerable.Range(0, Threads * PerThread).Select(_ => new Counter()).ToArray();

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                Assert.True(loop.Post(handlers[(t * PerThread) + i]));
            }
        })));
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(_ => done.SetResult()); // the queue is FIFO: everything posted before has run
        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(handlers, h => Assert.Equal((1, true), (h.Runs, h.OnLoop)));
    }

    [LinuxFact]
    public void Post_AfterDispose_ReturnsFalse()
    {
        var loop = EventLoop.TryStart(0, NullLogger.Instance) ?? throw new InvalidOperationException("epoll unavailable");
        loop.Dispose();

        Assert.False(loop.Post(new Counter()));
    }

    private sealed class Counter : LoopHandler
    {
        public int Runs { get; private set; }

        public bool OnLoop { get; private set; }

        public override void OnRequest(EventLoop loop)
        {
            Runs++;
            OnLoop = loop.OnLoopThread;
        }
    }
}

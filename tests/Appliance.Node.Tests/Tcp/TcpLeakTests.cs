using System.Net.Sockets;
using Appliance.Tests.Support;
using static Appliance.Tests.Support.TcpTestClient;

namespace Appliance.Tests.Tcp;

/// <summary>
/// 1,000 proxied connections held open, then closed: every descriptor, slot and gauge comes back.
/// Counts this process's open descriptors, so it runs alone (other tests open and close sockets).
/// </summary>
[Collection(nameof(SerialCollection))]
public sealed class TcpLeakTests
{
    [Fact]
    public async Task ThousandConnections_HeldOpenThenClosed_NoDescriptorOrSlotLeaks()
    {
        const int Count = 1000;
        await using var backend = TcpTestBackend.Start("b1", backlog: 4096);
        var port = FreePort.Next();
        await using var node = await TestNode.StartAsync(TcpTestConfig.Create(port, [backend]));
        Assert.Equal("b1", await BackendNameAsync(port)); // warm: first-use allocations are not leaks
        await HttpTestHelpers.WaitUntilAsync(() => node.TcpListener().Tracked == 0 && backend.Open == 0, Bound, "the warm-up connection is gone");
        GC.Collect(); // sockets other tests left to finalizers close now, not in the middle of the count
        GC.WaitForPendingFinalizers();
        var before = OpenDescriptors();

        var clients = new Socket[Count];
        for (var i = 0; i < Count; i += 100)
        {
            await Task.WhenAll(Enumerable.Range(i, 100).Select(async n =>
            {
                clients[n] = await ConnectAsync(port);
                Assert.Equal("b1", await ReadLineAsync(clients[n]));
            }));
        }

        Assert.Equal(Count, node.TcpListener().Active);
        Assert.Equal(Count, node.Counts.Get("tcp/pool/b1"));
        var open = OpenDescriptors();
        // Four per pair; a few unrelated descriptors (timers, other tests' sockets reaching their
        // finalizers) may close meanwhile, hence the small slack.
        Assert.True(open >= before + (4 * Count) - 20, $"{open} descriptors open with {Count} connections, {before} before: each proxied pair should hold four in this process");
        Assert.Equal("still alive", await RoundTripAsync(clients[Count / 2], "still alive"));

        foreach (var client in clients)
        {
            client.Dispose();
        }

        await HttpTestHelpers.WaitUntilAsync(() => node.TcpListener().Tracked == 0 && backend.Open == 0, TimeSpan.FromSeconds(20), "every connection is released");
        await HttpTestHelpers.WaitUntilAsync(() => OpenDescriptors() <= before + 5, TimeSpan.FromSeconds(10),
            $"descriptors return to the {before} open before (now {OpenDescriptors()})");
        Assert.Equal(0, node.Counts.Get("tcp/pool/b1"));
        Assert.Equal(0, node.TcpPools.Find("pool")!.Find("b1")!.Core.InFlight);
        Assert.Equal(0, node.TcpListener().Active);
    }
}

using System.Net.Sockets;
using Appliance.Tests.Support;
using static Appliance.Tests.Support.TcpTestClient;

namespace Appliance.Tests.Tcp;

/// <summary>Per-listener and per-backend connection limits, with their bounded queues or refusal.</summary>
public sealed class TcpLimitsTests
{
    [Fact]
    public async Task ListenerFull_QueueZero_ExtraConnectionResetAtOnce()
    {
        await using var backend = TcpTestBackend.Start("b1");
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpListener()["MaxConnections"] = 2;
        config.TcpListener()["Queue"] = new System.Text.Json.Nodes.JsonObject { ["MaxLength"] = 0 };
        await using var node = await TestNode.StartAsync(config);

        using var first = await ConnectAsync(port);
        using var second = await ConnectAsync(port);
        Assert.Equal("b1", await ReadLineAsync(first));
        Assert.Equal("b1", await ReadLineAsync(second));
        Assert.Equal("reset", await EndOfNewConnectionAsync(port));
        Assert.Equal(1, node.TcpListener().Refused);
        Assert.Equal(2, backend.Accepted);

        first.Dispose();
        await HttpTestHelpers.WaitUntilAsync(() => node.TcpListener().Active == 1, Bound, "the first connection's slot is freed");
        Assert.Equal("b1", await BackendNameAsync(port));
    }

    [Fact]
    public async Task ListenerFull_Queue_ExtraConnectionWaitsForAFreeSlot()
    {
        await using var backend = TcpTestBackend.Start("b1");
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpListener()["MaxConnections"] = 1;
        config.TcpListener()["Queue"] = new System.Text.Json.Nodes.JsonObject { ["MaxLength"] = 5, ["Timeout"] = "00:00:05" };
        await using var node = await TestNode.StartAsync(config);

        var first = await ConnectAsync(port);
        Assert.Equal("b1", await ReadLineAsync(first));
        using var second = await ConnectAsync(port);
        var greeting = ReadLineAsync(second);

        await Task.Delay(300);
        Assert.False(greeting.IsCompleted, "the queued connection was served while the listener was full");
        Assert.Equal(1, backend.Accepted);

        first.Dispose();

        Assert.Equal("b1", await greeting.WaitAsync(Bound));
        Assert.Equal(0, node.TcpListener().Refused);
    }

    [Fact]
    public async Task BackendFull_PoolQueueTimesOut_ConnectionReset()
    {
        await using var backend = TcpTestBackend.Start("b1");
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpBackend("b1")["MaxConnections"] = 1;
        config.TcpPool()["Queue"] = new System.Text.Json.Nodes.JsonObject { ["MaxLength"] = 5, ["Timeout"] = "00:00:00.300" };
        await using var node = await TestNode.StartAsync(config);

        using var first = await ConnectAsync(port);
        Assert.Equal("b1", await ReadLineAsync(first));
        using var second = await ConnectAsync(port);
        var waited = System.Diagnostics.Stopwatch.StartNew();

        Assert.Equal("reset", (await WaitForEndAsync(second)).End);
        Assert.InRange(waited.Elapsed.TotalMilliseconds, 250, 5000);
        Assert.Equal(1, backend.Accepted);
        Assert.Equal(1, node.TcpPools.Find("pool")!.Queue.TimedOut);
    }

    [Fact]
    public async Task BackendFull_PoolQueue_ServedWhenSlotFrees()
    {
        await using var backend = TcpTestBackend.Start("b1");
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpBackend("b1")["MaxConnections"] = 1;
        await using var node = await TestNode.StartAsync(config);

        var first = await ConnectAsync(port);
        Assert.Equal("b1", await ReadLineAsync(first));
        using var second = await ConnectAsync(port);
        var greeting = ReadLineAsync(second);
        await Task.Delay(300);
        Assert.False(greeting.IsCompleted);

        first.Shutdown(SocketShutdown.Send);
        first.Dispose();

        Assert.Equal("b1", await greeting.WaitAsync(Bound));
        Assert.Equal(2, backend.Accepted);
    }
}

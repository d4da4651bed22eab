using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;
using static Appliance.Tests.Support.TcpTestClient;

namespace Appliance.Tests.Tcp;

/// <summary>Reload, graceful stop and drain, and binding addresses the node does not hold.</summary>
public sealed class TcpLifecycleTests
{
    [Fact]
    public async Task Reload_ListenerRemoved_StopsAcceptingOpenConnectionDrainsThenIsCut()
    {
        await using var backend = TcpTestBackend.Start("b1");
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpListener()["DrainTimeout"] = "00:00:01";
        await using var node = await TestNode.StartAsync(config);
        using var open = await ConnectAsync(port);
        Assert.Equal("b1", await ReadLineAsync(open));

        config["Tcp"]!["Listeners"] = new JsonObject();
        Assert.Empty(await node.ReloadAsync(config));
        var removed = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(port));
        Assert.Equal("draining", await RoundTripAsync(open, "draining"));
        Assert.Equal("reset", (await WaitForEndAsync(open)).End);
        Assert.InRange(removed.Elapsed.TotalMilliseconds, 800, 5000);
    }

    [Fact]
    public async Task Stop_OpenConnectionMayFinishWithinDrainTimeout()
    {
        await using var backend = TcpTestBackend.Start("b1");
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpListener()["DrainTimeout"] = "00:00:05";
        var node = await TestNode.StartAsync(config);
        using var open = await ConnectAsync(port);
        Assert.Equal("b1", await ReadLineAsync(open));

        var stopping = node.DisposeAsync().AsTask();
        await Task.Delay(200);
        await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(port));
        Assert.False(stopping.IsCompleted, "the node stopped without waiting for the open connection");
        Assert.Equal("last words", await RoundTripAsync(open, "last words"));
        open.Shutdown(SocketShutdown.Send);
        Assert.Equal("fin", (await WaitForEndAsync(open)).End);

        await stopping.WaitAsync(Bound); // returns once the connection finished, well before the 5 s drain
    }

    [Fact]
    public async Task Reload_PoolBackendsReplaced_NewConnectionsUseNewBackends()
    {
        await using var b1 = TcpTestBackend.Start("b1");
        await using var b2 = TcpTestBackend.Start("b2");
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [b1]);
        await using var node = await TestNode.StartAsync(config);
        using var open = await ConnectAsync(port);
        Assert.Equal("b1", await ReadLineAsync(open));

        config.TcpPool()["Backends"] = new JsonObject { ["b2"] = new JsonObject { ["Address"] = b2.Address } };
        config.TcpListener()["MaxConnections"] = 10;
        Assert.Empty(await node.ReloadAsync(config));

        Assert.Equal("b2", await BackendNameAsync(port));
        Assert.Equal("kept", await RoundTripAsync(open, "kept"));
        Assert.Equal(10, node.TcpListener().Options.MaxConnections);
    }

    [Fact]
    public async Task Reload_AddressChanged_KeepsOldAddressUntilRestart()
    {
        await using var backend = TcpTestBackend.Start("b1");
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        await using var node = await TestNode.StartAsync(config);

        config.TcpListener()["Address"] = $"127.0.0.1:{FreePort.Next()}";
        Assert.Empty(await node.ReloadAsync(config));

        Assert.Equal("b1", await BackendNameAsync(port));
        Assert.Equal($"127.0.0.1:{port}", node.TcpListener().Address);
    }

    [Fact]
    public async Task Reload_ListenerAdded_StartsAccepting()
    {
        await using var backend = TcpTestBackend.Start("b1");
        var config = TcpTestConfig.Create(FreePort.Next(), [backend]);
        await using var node = await TestNode.StartAsync(config);
        var second = FreePort.Next();

        config["Tcp"]!["Listeners"]!["second"] = new JsonObject { ["Address"] = $"127.0.0.1:{second}", ["Pool"] = "pool" };
        Assert.Empty(await node.ReloadAsync(config));

        Assert.Equal("b1", await BackendNameAsync(second));
    }

    [Fact]
    public async Task FreeBind_AddressNotOnThisNode_BindsAndServesOnceTheAddressWorks()
    {
        await using var backend = TcpTestBackend.Start("b1");
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpListener()["Address"] = $"198.18.255.77:{port}"; // RFC 2544 benchmark range: never on this machine

        await using var node = await TestNode.StartAsync(config);

        Assert.Equal($"198.18.255.77:{port}", node.TcpListener().LocalEndPoints.Single().ToString());
    }

    [Fact]
    public async Task FreeBindOff_AddressNotOnThisNode_StartFails()
    {
        await using var backend = TcpTestBackend.Start("b1");
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpListener()["Address"] = $"198.18.255.77:{port}";
        config.TcpListener()["FreeBind"] = false;

        var error = await Assert.ThrowsAsync<IOException>(() => TestNode.StartAsync(config));

        Assert.Contains("198.18.255.77", error.Message, StringComparison.Ordinal);
    }
}

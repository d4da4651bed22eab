using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Appliance.Core.Configuration;
using Appliance.Proxy.Health;
using Appliance.Tests.Support;
using static Appliance.Tests.Support.TcpTestClient;

namespace Appliance.Tests.Tcp;

/// <summary>Which backend gets a connection: algorithms, pins, admin states, retries, active and passive health.</summary>
public sealed class TcpBackendChoiceTests : IAsyncLifetime
{
    private readonly List<TcpTestBackend> _backends = [];

    public Task InitializeAsync()
    {
        for (var i = 1; i <= 3; i++)
        {
            _backends.Add(TcpTestBackend.Start($"b{i}"));
        }

        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
    }

    private async Task<(TestNode Node, int Port)> StartAsync(string policy, Action<JsonObject>? change = null)
    {
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, _backends, policy);
        change?.Invoke(config);
        return (await TestNode.StartAsync(config), port);
    }

    private static async Task<List<string>> NamesAsync(int port, int count, Func<int, IPAddress?>? from = null)
    {
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            names.Add(await BackendNameAsync(port, from?.Invoke(i)));
        }

        return names;
    }

    [Fact]
    public async Task RoundRobin_Weights_SpreadConnectionsInProportion()
    {
        var (node, port) = await StartAsync("RoundRobin", c => c.TcpBackend("b1")["Weight"] = 2);
        await using var _ = node;

        var names = await NamesAsync(port, 40);

        Assert.Equal((20, 10, 10), (names.Count(n => n == "b1"), names.Count(n => n == "b2"), names.Count(n => n == "b3")));
    }

    [Fact]
    public async Task LeastConnections_HeldConnections_NewOnesGoToTheIdleBackend()
    {
        var (node, port) = await StartAsync("LeastConnections");
        await using var _ = node;
        var held = new List<Socket>();
        var busy = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            held.Add(await ConnectAsync(port));
            busy.Add(await ReadLineAsync(held[^1])); // greeted: the connection is counted before the next one
        }

        // Five connections over three backends: two, two and one.
        Assert.Equal([1, 2, 2], busy.GroupBy(n => n).Select(g => g.Count()).Order());
        var least = busy.GroupBy(n => n).Single(g => g.Count() == 1).Key;
        Assert.Equal(1, node.Counts.Get($"tcp/pool/{least}"));

        using var next = await ConnectAsync(port);
        Assert.Equal(least, await ReadLineAsync(next));
        held.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task ConsistentHash_SameSourceAddress_SameBackendAndSourcesSpread()
    {
        var (node, port) = await StartAsync("ConsistentHash");
        await using var _ = node;
        static IPAddress Source(int i) => IPAddress.Parse($"127.0.{1 + (i % 30)}.{1 + (i % 30)}");

        var first = await NamesAsync(port, 30, Source);
        var again = await NamesAsync(port, 30, Source);

        Assert.Equal(first, again);
        Assert.True(first.Distinct().Count() >= 2, "thirty client addresses all hashed onto one backend");
    }

    [Fact]
    public async Task Sticky_ClientPinned_FollowsIntoDrainButLeavesMaint()
    {
        var (node, port) = await StartAsync("RoundRobin", c => c.TcpPool()["Sticky"] = new JsonObject { ["Enabled"] = true });
        await using var _ = node;
        var client = IPAddress.Parse("127.0.0.7");

        var pinned = await BackendNameAsync(port, client);
        Assert.All(await NamesAsync(port, 6, _ => client), n => Assert.Equal(pinned, n));

        node.TcpPools.SetAdminState("pool", pinned, BackendAdminState.Drain);
        Assert.All(await NamesAsync(port, 3, _ => client), n => Assert.Equal(pinned, n));
        Assert.DoesNotContain(pinned, await NamesAsync(port, 6, i => IPAddress.Parse($"127.0.1.{10 + i}")));

        node.TcpPools.SetAdminState("pool", pinned, BackendAdminState.Maint);
        var moved = await BackendNameAsync(port, client);
        Assert.NotEqual(pinned, moved);
        Assert.All(await NamesAsync(port, 3, _ => client), n => Assert.Equal(moved, n));
    }

    [Fact]
    public async Task Drain_OpenConnectionContinuesAndNewOnesGoElsewhere()
    {
        var (node, port) = await StartAsync("FirstAlphabetical");
        await using var _ = node;
        using var open = await ConnectAsync(port);
        Assert.Equal("b1", await ReadLineAsync(open));

        node.TcpPools.SetAdminState("pool", "b1", BackendAdminState.Drain);

        Assert.Equal("still here", await RoundTripAsync(open, "still here"));
        Assert.Equal("b2", await BackendNameAsync(port));
        node.TcpPools.SetAdminState("pool", "b1", BackendAdminState.Ready);
        Assert.Equal("b1", await BackendNameAsync(port));
    }

    [Fact]
    public async Task ConnectRefused_RetriedOnNextBackendAndPassivelyMarkedDown()
    {
        using var dead = new HttpTestHelpers.RefusingPort();
        var (node, port) = await StartAsync("RoundRobin", c =>
        {
            c.TcpPool()["Backends"] = new JsonObject { ["dead"] = new JsonObject { ["Address"] = $"127.0.0.1:{dead.Port}" }, ["b1"] = new JsonObject { ["Address"] = _backends[0].Address } };
            c.TcpPool()["PassiveHealthCheck"] = new JsonObject { ["Enabled"] = true, ["ConsecutiveFailures"] = 2, ["ReactivationPeriod"] = "00:01:00" };
        });
        await using var _ = node;

        Assert.All(await NamesAsync(port, 8), n => Assert.Equal("b1", n));

        var deadBackend = node.TcpPools.Find("pool")!.Find("dead")!;
        Assert.Equal(2, deadBackend.Core.Counters.TransportErrors); // then marked down: no more attempts
        Assert.Equal(2, deadBackend.Core.Counters.Retries);
        Assert.False(deadBackend.IsUp(DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task ConnectRefused_NoRetriesLeft_ClientReset()
    {
        using var dead = new HttpTestHelpers.RefusingPort();
        var (node, port) = await StartAsync("RoundRobin", c =>
        {
            c.TcpPool()["Backends"] = new JsonObject { ["dead"] = new JsonObject { ["Address"] = $"127.0.0.1:{dead.Port}" } };
            c.TcpPool()["Retries"] = 0;
        });
        await using var _ = node;

        Assert.Equal("reset", await EndOfNewConnectionAsync(port));
        Assert.Equal(1, node.TcpListener().Refused);
    }

    [Fact]
    public async Task ConnectTimeout_SilentBackend_NextBackendServesAfterTheTimeout()
    {
        // A listener whose accept queue is full drops new SYNs: connecting to it hangs.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(0);
        var silentPort = ((IPEndPoint)silent.LocalEndPoint!).Port;
        var fillers = new List<Socket>();
        var connecting = new List<Task>();
        for (var i = 0; i < 4; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            connecting.Add(filler.ConnectAsync(IPAddress.Loopback, silentPort)); // some never complete; disposed at the end
            fillers.Add(filler);
        }

        await Task.Delay(200);
        var (node, port) = await StartAsync("FirstAlphabetical", c =>
        {
            c.TcpPool()["Backends"] = new JsonObject { ["a-silent"] = new JsonObject { ["Address"] = $"127.0.0.1:{silentPort}" }, ["b1"] = new JsonObject { ["Address"] = _backends[0].Address } };
            c.TcpPool()["ConnectTimeout"] = "00:00:00.300";
        });
        await using var running = node;
        var took = System.Diagnostics.Stopwatch.StartNew();

        Assert.Equal("b1", await BackendNameAsync(port));

        Assert.InRange(took.Elapsed.TotalMilliseconds, 280, 5000);
        Assert.Equal(1, node.TcpPools.Find("pool")!.Find("a-silent")!.Core.Counters.TransportErrors);
        fillers.ForEach(f => f.Dispose());
    }

    [Fact]
    public async Task ActiveChecks_KilledBackendMarkedDownAndSkipped()
    {
        var (node, port) = await StartAsync("RoundRobin", c => c.TcpPool()["HealthCheck"] = new JsonObject
        {
            ["Enabled"] = true, ["Interval"] = "00:00:00.100", ["Timeout"] = "00:00:00.300", ["Rise"] = 1, ["Fall"] = 1,
        });
        await using var _ = node;
        var b2 = node.TcpPools.Find("pool")!.Find("b2")!;
        await HttpTestHelpers.WaitUntilAsync(() => b2.Health == ProbeVerdict.Healthy, Bound, "b2 is checked up");

        _backends[1].Kill();

        await HttpTestHelpers.WaitUntilAsync(() => b2.Health == ProbeVerdict.Unhealthy, Bound, "b2 is checked down");
        Assert.All(await NamesAsync(port, 6), n => Assert.NotEqual("b2", n));
        Assert.Equal(0, b2.Core.Counters.TransportErrors); // never tried: the check knew first
    }

    [Fact]
    public async Task ActiveChecks_SendExpect_WrongAnswerMarksDown()
    {
        await using var redis = TcpTestBackend.Start("redis", static async (_, socket) =>
        {
            var buffer = new byte[64];
            var n = await socket.ReceiveAsync(buffer);
            await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(n > 0 && buffer[0] == (byte)'P' ? "+PONG\r\n" : "-ERR\r\n"));
        });
        await using var mute = TcpTestBackend.Start("mute", static async (_, socket) => await socket.SendAsync("-ERR unknown\r\n"u8.ToArray()));
        var (node, _) = await StartAsync("RoundRobin", c =>
        {
            c.TcpPool()["Backends"] = new JsonObject { ["redis"] = new JsonObject { ["Address"] = redis.Address }, ["mute"] = new JsonObject { ["Address"] = mute.Address } };
            c.TcpPool()["HealthCheck"] = new JsonObject
            {
                ["Enabled"] = true, ["Interval"] = "00:00:00.100", ["Timeout"] = "00:00:00.500", ["Rise"] = 1, ["Fall"] = 1, ["Send"] = "PING\r\n", ["Expect"] = "+PONG",
            };
        });
        await using var __ = node;
        var pool = node.TcpPools.Find("pool")!;

        await HttpTestHelpers.WaitUntilAsync(() => pool.Find("redis")!.Health == ProbeVerdict.Healthy && pool.Find("mute")!.Health == ProbeVerdict.Unhealthy,
            Bound, "redis is up and mute is down");
    }
}

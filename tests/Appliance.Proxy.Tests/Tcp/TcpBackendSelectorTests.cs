using Microsoft.Extensions.Time.Testing;
using System.Net;
using Appliance.Core.Configuration;
using Appliance.Core.State;
using Appliance.Proxy.Model;
using Appliance.Proxy.Tcp;
using Appliance.Tests.Support;

namespace Appliance.Tests.Tcp;

/// <summary>Backend choice for new TCP connections: states, weights, limits, pins, hashing, counts. No sockets.</summary>
public sealed class TcpBackendSelectorTests
{
    private static readonly DateTimeOffset Now = new FakeTimeProvider().Start;
    private static readonly IPAddress ClientA = IPAddress.Parse("192.0.2.1");

    private readonly InMemorySessionStore _sessions = new();
    private readonly LocalConnectionCounts _counts = new();
    private readonly TcpPoolRegistry _registry = new(new FakeTimeProvider());

    private TcpBackendSelector Selector => new(_sessions, _counts);

    private TcpPoolRuntime Pool(string policy = "RoundRobin", bool sticky = false, params (string Id, int Weight, int Max, BackendAdminState State)[] backends)
    {
        if (backends.Length == 0)
        {
            backends = [("b1", 1, 0, BackendAdminState.Ready), ("b2", 1, 0, BackendAdminState.Ready), ("b3", 1, 0, BackendAdminState.Ready)];
        }

        var options = new TcpPoolOptions
        {
            Policy = policy,
            Sticky = new TcpStickyOptions { Enabled = sticky },
            Backends = backends.Select((b, i) => (b.Id, Options: new TcpBackendOptions { Address = $"127.0.0.1:{5000 + i}", Weight = b.Weight, MaxConnections = b.Max, State = b.State }))
                .ToDictionary(b => b.Id, b => b.Options),
        };
        _registry.Apply(new ApplianceConfig { Tcp = new TcpOptions { Pools = new Dictionary<string, TcpPoolOptions> { ["p"] = options } } });
        return _registry.Find("p")!;
    }

    private string? PickId(TcpPoolRuntime pool, IPAddress? client = null, IReadOnlyList<TcpBackendRuntime>? tried = null)
    {
        var selection = Selector.Select(pool, client ?? ClientA, tried, Now);
        selection.Backend?.Core.Release();
        return selection.Backend?.Id;
    }

    [Fact]
    public void Select_RoundRobinWeights_SpreadInProportion()
    {
        var pool = Pool("RoundRobin", false, ("b1", 3, 0, BackendAdminState.Ready), ("b2", 1, 0, BackendAdminState.Ready));

        var picks = Enumerable.Range(0, 400).Select(_ => PickId(pool)).ToList();

        Assert.Equal(300, picks.Count(p => p == "b1"));
        Assert.Equal(100, picks.Count(p => p == "b2"));
    }

    [Fact]
    public void Select_DrainMaintAndWeightZero_NeverPickedForNewClients()
    {
        var pool = Pool("RoundRobin", false,
            ("drained", 1, 0, BackendAdminState.Drain), ("maint", 1, 0, BackendAdminState.Maint),
            ("zero", 0, 0, BackendAdminState.Ready), ("ready", 1, 0, BackendAdminState.Ready));

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal("ready", PickId(pool)));
    }

    [Fact]
    public void Select_NothingEligible_IsNoneAvailable()
    {
        var pool = Pool("RoundRobin", false, ("b1", 1, 0, BackendAdminState.Drain), ("b2", 1, 0, BackendAdminState.Maint));

        Assert.Equal(TcpSelection.None, Selector.Select(pool, ClientA, null, Now));
    }

    [Fact]
    public void Select_AllAtMaxConnections_IsAllFullUntilOneIsReleased()
    {
        var pool = Pool("RoundRobin", false, ("b1", 1, 1, BackendAdminState.Ready), ("b2", 1, 1, BackendAdminState.Ready));
        var first = Selector.Select(pool, ClientA, null, Now);
        var second = Selector.Select(pool, ClientA, null, Now);

        Assert.Equal(TcpSelectionOutcome.AllFull, Selector.Select(pool, ClientA, null, Now).Outcome);
        Assert.NotEqual(first.Backend, second.Backend);

        first.Backend!.Core.Release();

        Assert.Equal(first.Backend, Selector.Select(pool, ClientA, null, Now).Backend);
    }

    [Fact]
    public void Select_TriedBackends_AreSkippedAndExhaustionIsNone()
    {
        var pool = Pool("FirstAlphabetical");
        var b1 = pool.Find("b1")!;
        var b2 = pool.Find("b2")!;

        Assert.Equal("b2", PickId(pool, tried: [b1]));
        Assert.Equal("b3", PickId(pool, tried: [b1, b2]));
        Assert.Null(PickId(pool, tried: [b1, b2, pool.Find("b3")!]));
    }

    [Fact]
    public void Select_LeastConnections_ReadsTheSharedCounts()
    {
        var pool = Pool("LeastConnections");
        _counts.Add("tcp/p/b1", 5);
        _counts.Add("tcp/p/b3", 2);

        Assert.All(Enumerable.Range(0, 20), _ => Assert.Equal("b2", PickId(pool)));
    }

    [Fact]
    public void Select_ConsistentHash_SameClientSameBackendAndClientsSpread()
    {
        var pool = Pool("ConsistentHash");
        var clients = Enumerable.Range(1, 200).Select(i => IPAddress.Parse($"10.0.{i / 250}.{i % 250}")).ToList();

        var first = clients.Select(c => PickId(pool, c)).ToList();
        var again = clients.Select(c => PickId(pool, c)).ToList();

        Assert.Equal(first, again);
        Assert.All(new[] { "b1", "b2", "b3" }, id => Assert.InRange(first.Count(p => p == id), 30, 110));
    }

    [Fact]
    public void Select_ConsistentHash_MappedIpv4ClientHashesAsIpv4()
    {
        var pool = Pool("ConsistentHash");
        var clients = Enumerable.Range(1, 30).Select(i => IPAddress.Parse($"10.1.1.{i}"));

        Assert.All(clients, c => Assert.Equal(PickId(pool, c), PickId(pool, c.MapToIPv6())));
    }

    [Fact]
    public void Select_StickyPin_FollowsBackendIntoDrainButNotIntoMaint()
    {
        var pool = Pool("RoundRobin", sticky: true);
        var first = Selector.Select(pool, ClientA, null, Now);
        Selector.Pin(pool, ClientA, first.Backend!, Now);
        first.Backend!.Core.Release();
        var pinned = first.Backend.Id;

        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal(pinned, PickId(pool)));

        _registry.SetAdminState("p", pinned, BackendAdminState.Drain);
        var drained = Selector.Select(pool, ClientA, null, Now);
        drained.Backend!.Core.Release();
        Assert.Equal((pinned, true), (drained.Backend.Id, drained.FromPin));
        Assert.NotEqual(pinned, PickId(pool, IPAddress.Parse("192.0.2.99")));

        _registry.SetAdminState("p", pinned, BackendAdminState.Maint);
        Assert.NotEqual(pinned, PickId(pool));
    }

    [Fact]
    public void Select_StickyPinExpired_BalancesAgain()
    {
        var pool = Pool("FirstAlphabetical", sticky: true);
        Selector.Pin(pool, ClientA, pool.Find("b3")!, Now);

        Assert.Equal("b3", PickId(pool));
        var later = Selector.Select(pool, ClientA, null, Now + pool.Options.Sticky.IdleTimeout + TimeSpan.FromSeconds(1));

        Assert.Equal("b1", later.Backend!.Id);
    }

    [Fact]
    public void Select_PinnedBackendFull_WaitsInsteadOfMoving()
    {
        var pool = Pool("RoundRobin", true, ("b1", 1, 1, BackendAdminState.Ready), ("b2", 1, 0, BackendAdminState.Ready));
        Selector.Pin(pool, ClientA, pool.Find("b1")!, Now);
        Assert.True(pool.Find("b1")!.Core.TryAcquire());

        Assert.Equal(TcpSelectionOutcome.AllFull, Selector.Select(pool, ClientA, null, Now).Outcome);
    }

    [Fact]
    public void Select_PassivelyDownBackend_SkippedUntilReactivation()
    {
        var pool = Pool("FirstAlphabetical");
        var passive = new PassiveHealthOptions { Enabled = true, ConsecutiveFailures = 2, ReactivationPeriod = TimeSpan.FromSeconds(30) };
        var b1 = pool.Find("b1")!;

        Assert.False(b1.RecordConnect(failed: true, passive, Now));
        Assert.True(b1.RecordConnect(failed: true, passive, Now));

        Assert.Equal("b2", PickId(pool));
        Assert.Equal("b1", Selector.Select(pool, ClientA, null, Now.AddSeconds(31)).Backend!.Id);
    }

    [Fact]
    public void Select_ActiveChecksDown_SkippedUntilRise()
    {
        var pool = Pool("FirstAlphabetical");
        var b1 = pool.Find("b1")!;
        for (var i = 0; i < 3; i++)
        {
            b1.RecordProbe(good: false, rise: 2, fall: 3, Now);
        }

        Assert.Equal("b2", PickId(pool));
        b1.RecordProbe(good: true, rise: 2, fall: 3, Now);
        Assert.Equal("b2", PickId(pool));
        b1.RecordProbe(good: true, rise: 2, fall: 3, Now);
        Assert.Equal("b1", PickId(pool));
    }

    [Fact]
    public void PinKey_IsNamespacedByPoolAndIpv4Unmapped() =>
        Assert.Equal("tcp/p/192.0.2.1", TcpBackendSelector.PinKey("p", ClientA.MapToIPv6()));

    [Fact]
    public void Registry_ReloadKeepsStateByIdAndRuntimeChangesWork()
    {
        var pool = Pool();
        var b1 = pool.Find("b1")!;
        Assert.Equal(BackendChange.Done, _registry.SetAdminState("p", "B1", BackendAdminState.Drain));
        Assert.Equal(BackendChange.Done, _registry.SetWeight("p", "b1", 7));
        Assert.True(b1.Core.TryAcquire());

        var reloaded = Pool();

        Assert.Same(b1, reloaded.Find("b1"));
        Assert.Equal((BackendAdminState.Drain, 7, 1L), (b1.Core.AdminState, b1.Core.Weight, b1.Core.InFlight));
        Assert.Equal("tcp/p/b1", b1.Key);
        Assert.Equal(BackendChange.UnknownCluster, _registry.SetAdminState("nope", "b1", BackendAdminState.Ready));
        Assert.Equal(BackendChange.UnknownBackend, _registry.SetAdminState("p", "nope", BackendAdminState.Ready));
        Assert.Equal(BackendChange.InvalidWeight, _registry.SetWeight("p", "b1", 257));
    }
}

using Appliance.Replication.Sessions;

namespace Appliance.Replication.Tests.Sessions;

public sealed class ReplicatedSessionStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Put_DeltasShippedToAnotherReplica_SessionFoundThere()
    {
        var (a, b) = (Store(1), Store(2));
        a.Put("http/web/c1", "web/b1", TimeSpan.FromMinutes(5), T0);
        a.Put("http/web/c2", "web/b2", TimeSpan.FromMinutes(5), T0);

        Ship(a, b);

        Assert.True(b.TryGet("http/web/c1", T0.AddSeconds(1), out var entry));
        Assert.Equal("web/b1", entry.Backend);
        Assert.Equal(2, b.Count);
        Assert.Empty(a.DrainDeltas());
    }

    [Fact]
    public void Remove_Replicated_SessionGoneOnBoth()
    {
        var (a, b) = (Store(1), Store(2));
        a.Put("k", "b1", TimeSpan.FromMinutes(5), T0);
        Ship(a, b);

        Assert.True(b.Remove("k"));
        Ship(b, a);

        Assert.False(a.TryGet("k", T0, out _));
        Assert.False(b.Remove("k"));
    }

    [Fact]
    public void RepinOnOtherNode_AfterSeeingThePin_WinsEverywhereEvenWithSlowerClock()
    {
        var (a, b) = (Store(1), Store(2));
        a.Put("k", "b1", TimeSpan.FromMinutes(5), T0.AddSeconds(10));
        Ship(a, b);

        // b's wall clock is behind a's; the hybrid clock still orders its re-pin after a's pin.
        b.Put("k", "b2", TimeSpan.FromMinutes(5), T0);
        Ship(b, a);

        Assert.True(a.TryPeek("k", T0.AddSeconds(11), out var entry));
        Assert.Equal("b2", entry.Backend);
    }

    [Fact]
    public void TryGet_AfterIdleTimeout_NotFound_AndSweepForgetsIt()
    {
        var store = Store(1);
        store.Put("k", "b1", TimeSpan.FromSeconds(30), T0);

        Assert.True(store.TryGet("k", T0.AddSeconds(29), out _));
        Assert.False(store.TryGet("k", T0.AddSeconds(29 + 31), out _));
        Assert.Equal(1, store.Sweep(T0.AddMinutes(2)));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void TryGet_AfterASixteenthOfTheTimeout_RefreshIsReplicated()
    {
        var (a, b) = (Store(1), Store(2));
        a.Put("k", "b1", TimeSpan.FromSeconds(160), T0);
        Ship(a, b);

        Assert.True(a.TryGet("k", T0.AddSeconds(100), out _));
        Ship(a, b);

        Assert.True(b.TryPeek("k", T0.AddSeconds(200), out var entry));
        Assert.Equal(T0.AddSeconds(100), entry.LastSeen);
    }

    [Fact]
    public void Put_BeyondMaxSessions_EvictsLeastRecentlyUsedAndCounts()
    {
        var store = Store(1, new SessionTableOptions { ShardCount = 1, MaxSessions = 100 });
        for (var i = 0; i < 101; i++)
        {
            store.Put($"k{i}", "b", TimeSpan.FromMinutes(5), T0.AddMilliseconds(i));
        }

        Assert.Equal(11, store.Evicted);
        Assert.Equal(90, store.Count);
        Assert.False(store.TryPeek("k0", T0.AddSeconds(1), out _));
        Assert.True(store.TryPeek("k100", T0.AddSeconds(1), out _));
    }

    [Fact]
    public void Put_ManyShards_HoldsTheWholeBoundBeforeEvictingAndNeverMore()
    {
        // The bound is the whole table's: 64 shards of a 6,400 bound do not start evicting at 100 each.
        var store = Store(1, new SessionTableOptions { ShardCount = 64, MaxSessions = 6_400 });
        for (var i = 0; i < 6_400; i++)
        {
            store.Put($"http/web/{i:x8}", "b", TimeSpan.FromMinutes(5), T0.AddMilliseconds(i));
        }

        Assert.Equal(6_400, store.Count);
        Assert.Equal(0, store.Evicted);

        for (var i = 6_400; i < 20_000; i++)
        {
            store.Put($"http/web/{i:x8}", "b", TimeSpan.FromMinutes(5), T0.AddMilliseconds(i));
            Assert.True(store.Count <= 6_400, $"{store.Count} sessions after {i + 1} puts");
        }

        // Each eviction drops a tenth of a shard's fair share (10 here): the table stays nearly full.
        Assert.InRange(store.Count, 6_400 - 11, 6_400);
        Assert.True(store.TryPeek($"http/web/{19_999:x8}", T0.AddSeconds(30), out _));
    }

    [Fact]
    public void Sweep_TombstoneOlderThanGrace_Dropped()
    {
        var time = new FixedTimeProvider(T0);
        var store = new ReplicatedSessionStore(new HlcSource(1), new SessionTableOptions { ShardCount = 1, TombstoneGrace = TimeSpan.FromMinutes(1) }, time);
        store.Put("k", "b", TimeSpan.FromHours(1), T0);
        store.Remove("k");

        store.Sweep(T0.AddSeconds(30));
        Assert.Single(store.ShardState(0).Entries);

        store.Sweep(T0.AddMinutes(2));
        Assert.Empty(store.ShardState(0).Entries);
    }

    [Fact]
    public void ShardDigest_OneReplicaSweptExpiredSessionOtherNot_SameDigest()
    {
        var time = new FixedTimeProvider(T0);
        var single = new SessionTableOptions { ShardCount = 1 };
        var (a, b) = (Store(1, single, time), Store(2, single, time));
        a.Put("short", "b1", TimeSpan.FromSeconds(5), T0);
        a.Put("long", "b2", TimeSpan.FromHours(1), T0);
        Ship(a, b);
        time.Now = T0.AddSeconds(25);

        a.Sweep(time.Now);

        Assert.Single(a.ShardState(0).Entries);
        Assert.Equal(2, b.ShardState(0).Entries.Count);
        Assert.Equal(a.ShardDigest(0), b.ShardDigest(0));
        b.Put("long", "b3", TimeSpan.FromHours(1), time.Now);
        Assert.NotEqual(a.ShardDigest(0), b.ShardDigest(0));
    }

    [Fact]
    public void KeyShard_HexAndSequentialKeys_SpreadEvenlyOver64Shards()
    {
        var shards = new int[64];
        for (var i = 0; i < 64_000; i++)
        {
            shards[KeyShard.Of(i % 2 == 0 ? $"http/web/{i:x8}{i:x8}" : $"tcp/db/10.0.{i / 256 % 256}.{i % 256}:{i}", 64)]++;
        }

        Assert.All(shards, count => Assert.InRange(count, 800, 1_200));
    }

    [Fact]
    public void KeysSpreadOverShards_NoShardHoldsMostOfThem()
    {
        var store = Store(1, new SessionTableOptions { ShardCount = 16 });
        for (var i = 0; i < 1_600; i++)
        {
            store.Put($"http/web/{i}", "b", TimeSpan.FromMinutes(5), T0);
        }

        Assert.All(Enumerable.Range(0, 16), s => Assert.InRange(store.ShardState(s).LiveCount, 50, 150));
    }

    private static ReplicatedSessionStore Store(ulong node, SessionTableOptions? options = null, TimeProvider? time = null) =>
        new(new HlcSource(node), options ?? new SessionTableOptions { ShardCount = 4 }, time ?? new FixedTimeProvider(T0));

    private static void Ship(ReplicatedSessionStore from, ReplicatedSessionStore to)
    {
        foreach (var (shard, delta) in from.DrainDeltas())
        {
            to.MergeRemote(shard, delta);
        }
    }
}

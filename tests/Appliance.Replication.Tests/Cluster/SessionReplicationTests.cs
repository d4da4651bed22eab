using Appliance.Replication.Sessions;
using Appliance.Replication.Tests.Support;

namespace Appliance.Replication.Tests.Cluster;

/// <summary>
/// The session table over a real Akka.Cluster of in-process ActorSystems on loopback: writes reach
/// every member, a late joiner pulls the whole table, the digest repairs what no delta carried,
/// and a new incarnation of a node keeps its table.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SessionReplicationTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(30);

    [Fact]
    public async Task Put_OnOneNode_IsReadOnTheOthers()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        await Eventually.AssertAsync(() => cluster.Nodes.All(n => n.SyncStatus.IsStateSynced), TimeSpan.FromSeconds(30), "every node synced");

        var now = DateTimeOffset.UtcNow;
        cluster[0].Sessions.Put("http/web/a", "b1", Idle, now);
        cluster[1].Sessions.Put("http/web/b", "b2", Idle, now);
        Assert.True(cluster[2].Sessions.Remove("http/web/missing") is false);

        foreach (var node in cluster.Nodes)
        {
            await Eventually.AssertAsync(
                () => node.Sessions.TryPeek("http/web/a", DateTimeOffset.UtcNow, out var a) && a.Backend == "b1"
                    && node.Sessions.TryPeek("http/web/b", DateTimeOffset.UtcNow, out var b) && b.Backend == "b2",
                TimeSpan.FromSeconds(10),
                $"both sessions on {node.Name}");
        }

        // A re-pin and a removal travel too.
        cluster[2].Sessions.Put("http/web/a", "b3", Idle, DateTimeOffset.UtcNow);
        cluster[2].Sessions.Remove("http/web/b");
        await Eventually.AssertAsync(
            () => cluster.Nodes.All(n => n.Sessions.TryPeek("http/web/a", DateTimeOffset.UtcNow, out var a) && a.Backend == "b3"
                && !n.Sessions.TryPeek("http/web/b", DateTimeOffset.UtcNow, out _)),
            TimeSpan.FromSeconds(10),
            "the re-pin and the removal on every node");
        Assert.True(cluster[0].Stats.DeltaMessagesSent > 0);
        Assert.True(cluster[1].Stats.Visibility.Counts().Sum() > 0);
    }

    [Fact]
    public async Task LateJoiner_PullsTheWholeTable_BeforeItIsSynced()
    {
        const int Sessions = 100_000;
        await using var cluster = await TestCluster.StartAsync(1);
        await Eventually.AssertAsync(() => cluster[0].SyncStatus.IsStateSynced, TimeSpan.FromSeconds(30), "the first node synced alone");
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < Sessions; i++)
        {
            cluster[0].Sessions.Put($"http/web/{i:x8}", $"b{i % 7}", Idle, now);
        }

        var joiner = cluster.Add("n2");
        Assert.False(joiner.SyncStatus.IsStateSynced);
        await Eventually.AssertAsync(() => joiner.SyncStatus.IsStateSynced, TimeSpan.FromSeconds(60), "the joiner synced");
        Assert.Equal(Appliance.Replication.Sync.SyncStatus.Synced, joiner.Info.Sync.Status);
        Assert.Equal(Sessions, joiner.Sessions.Count);
        Assert.True(joiner.Sessions.TryPeek("http/web/00000010", DateTimeOffset.UtcNow, out var entry));
        Assert.Equal("b2", entry.Backend);
        Assert.Equal(1, cluster[0].Stats.FullSyncsServed);
    }

    [Fact]
    public async Task EntriesNoDeltaCarried_AreRepairedByTheDigest()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        await Eventually.AssertAsync(() => cluster.Nodes.All(n => n.SyncStatus.IsStateSynced), TimeSpan.FromSeconds(30), "both synced");

        // Joined into node 1's table as if a peer had sent them: no delta leaves for node 2, so
        // only anti-entropy can bring them there. Stamped a minute ago, so the digest's settle
        // window (2 s) does not leave them out.
        var minuteAgo = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
        var lost = Enumerable.Range(0, 50)
            .Select(i => KeyValuePair.Create($"tcp/pool/{i}", new LwwEntry<SessionValue>(new SessionValue("b9", minuteAgo, (long)Idle.TotalMilliseconds), new Hlc(minuteAgo, i, 77), IsTombstone: false)))
            .GroupBy(p => KeyShard.Of(p.Key, cluster[0].Store.ShardCount));
        foreach (var shard in lost)
        {
            cluster[0].Store.MergeRemote(shard.Key, [.. shard]);
        }

        await Eventually.AssertAsync(() => cluster[1].Sessions.Count == 50, TimeSpan.FromSeconds(20), "the 50 entries repaired on node 2");
        Assert.True(cluster[1].Stats.RepairsReceived > 0 || cluster[0].Stats.RepairsReceived > 0 || cluster[0].Stats.RepairsSent > 0);
    }

    [Fact]
    public async Task NewIncarnation_KeepsTheTable_AndGoesOnReplicating()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        await Eventually.AssertAsync(() => cluster.Nodes.All(n => n.SyncStatus.IsStateSynced), TimeSpan.FromSeconds(30), "both synced");
        cluster[0].Sessions.Put("http/web/kept", "b1", Idle, DateTimeOffset.UtcNow);
        await Eventually.AssertAsync(() => cluster[1].Sessions.TryPeek("http/web/kept", DateTimeOffset.UtcNow, out _), TimeSpan.FromSeconds(10), "replicated once");

        var before = cluster[1].Address;
        await cluster[1].LeaveAsync();
        await cluster[1].RestartAsync(cluster[0].Address);
        Assert.True(cluster[1].SyncStatus.IsStateSynced, "a node synced once stays ready across incarnations");
        Assert.True(cluster[1].Sessions.TryPeek("http/web/kept", DateTimeOffset.UtcNow, out _), "the table outlived the old ActorSystem");
        await cluster.WaitUpAsync(2);
        Assert.NotEqual(before, cluster[1].Address);

        cluster[0].Sessions.Put("http/web/after", "b2", Idle, DateTimeOffset.UtcNow);
        cluster[1].Sessions.Put("http/web/back", "b3", Idle, DateTimeOffset.UtcNow);
        await Eventually.AssertAsync(
            () => cluster[1].Sessions.TryPeek("http/web/after", DateTimeOffset.UtcNow, out _) && cluster[0].Sessions.TryPeek("http/web/back", DateTimeOffset.UtcNow, out _),
            TimeSpan.FromSeconds(15),
            "writes both ways after the restart");
    }
}

using Appliance.Cluster.Membership;
using Appliance.Cluster.Replication;
using Appliance.Cluster.Replication.Messages;

namespace Appliance.Tests.Replication;

/// <summary>
/// How the replicator treats peers: one that hashes shards by another scheme (an older version
/// during a rolling upgrade) gets no repairs and no digests; one whose send queue is backlogged
/// gets no transfer messages until it drains.
/// </summary>
public sealed class ReplicatorPeerTests
{
    private static readonly UniqueAddress Self = new(new NodeAddress("n1", 7946), 1);
    private static readonly UniqueAddress Peer = new(new NodeAddress("n2", 7946), 2);

    [Theory]
    [InlineData(0, false)]
    [InlineData(StateDigest.SessionScheme, true)]
    public void DigestFromPeer_RepairOnlyWhenItHashesLikeThisNode(int scheme, bool repaired)
    {
        var time = new FixedTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var sessions = new ReplicatedSessionStore(new HlcSource(Self.Uid), new ReplicationOptions { ShardCount = 4 }, time);
        for (var i = 0; i < 20; i++)
        {
            sessions.Put($"k{i}", "b", TimeSpan.FromHours(1), time.GetUtcNow().AddSeconds(-60));
        }

        var replicator = new Replicator(Self, sessions, new ReplicatedConnectionCounts(Self.Uid), new ReplicatorOptions { DigestIntervalMs = 10 });
        var sent = new List<Outgoing>();
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        replicator.SetMembers(Self, isMember: true, [Self, Peer], []);
        sent.AddRange(replicator.Receive(new ReplicaDigest(Peer, [1, 2, 3, 4], 0, nowMs, scheme), nowMs));
        for (var step = 0; step < 50; step++)
        {
            sent.AddRange(replicator.Tick(nowMs + (step * 5)));
        }

        var repairs = sent.Count(o => o.Message is ReplicaData { Kind: ReplicaDataKind.Repair });
        Assert.Equal(repaired, repairs > 0);
        Assert.Equal(repaired, sent.Any(o => o.Message is ReplicaDigest));
        Assert.Equal(repaired ? 0 : 1, replicator.Stats.OtherSchemeDigests);
    }

    [Fact]
    public void FullSync_PeerBacklogged_NothingSentUntilItDrains()
    {
        var time = new FixedTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var sessions = new ReplicatedSessionStore(new HlcSource(Self.Uid), new ReplicationOptions { ShardCount = 4 }, time);
        for (var i = 0; i < 1_000; i++)
        {
            sessions.Put($"k{i}", "b", TimeSpan.FromHours(1), time.GetUtcNow());
        }

        sessions.DrainDeltas();
        var replicator = new Replicator(Self, sessions, new ReplicatedConnectionCounts(Self.Uid), new ReplicatorOptions { MaxEntriesPerMessage = 100 });
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        replicator.SetMembers(Self, isMember: true, [Self], []);
        replicator.Tick(nowMs); // alone: synced
        replicator.SetMembers(Self, isMember: true, [Self, Peer], []);
        replicator.Receive(new ReplicaSyncRequest(Peer), nowMs);

        var whileBacklogged = Enumerable.Range(1, 20).SelectMany(step => replicator.Tick(nowMs + (step * 100), _ => true)).ToList();
        Assert.DoesNotContain(whileBacklogged, o => o.Message is ReplicaData { Kind: ReplicaDataKind.Sync or ReplicaDataKind.SyncComplete });
        Assert.Equal(1, replicator.PendingTransfers);

        var afterwards = Enumerable.Range(21, 20).SelectMany(step => replicator.Tick(nowMs + (step * 100), _ => false)).ToList();
        Assert.Equal(1_000, afterwards.Select(o => o.Message).OfType<ReplicaData>().Where(d => d.Kind is ReplicaDataKind.Sync or ReplicaDataKind.SyncComplete).Sum(d => d.Sessions.Sum(s => s.Entries.Count)));
        Assert.Equal(0, replicator.PendingTransfers);
    }
}

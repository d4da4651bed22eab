using Appliance.Cluster.Membership;
using Appliance.Cluster.Replication;
using Appliance.Cluster.Replication.Messages;

namespace Appliance.Tests.Replication;

/// <summary>A full sync waits while the peer's send queue is backlogged, and goes on once it drains.</summary>
public sealed class ReplicatorBacklogTests
{
    private static readonly UniqueAddress Self = new(new NodeAddress("n1", 7946), 1);
    private static readonly UniqueAddress Peer = new(new NodeAddress("n2", 7946), 2);

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

using Akka.Actor;
using Appliance.Replication.Sessions;
using Appliance.Replication.Sync;
using Appliance.Replication.Tests.Sessions;
using Appliance.Replication.Wire;

namespace Appliance.Replication.Tests.Sync;

/// <summary>The replicator core without Akka: the send window and the budget pace a full sync; messages stay within the frame bound.</summary>
public sealed class SessionReplicatorTests
{
    private static readonly Address Peer = new("akka.tcp", "appliance", "127.0.0.2", 7946);

    [Fact]
    public void FullSync_StopsAtTheWindow_AndGoesOnWithAcks()
    {
        var time = new FixedTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new ReplicatedSessionStore(new HlcSource(1), new SessionTableOptions { ShardCount = 8 }, time);
        for (var i = 0; i < 5_000; i++)
        {
            store.Put($"k{i}", "b", TimeSpan.FromHours(1), time.GetUtcNow());
        }

        var options = new SessionReplicationOptions { SendWindow = 4, MaxEntriesPerMessage = 100, TransferEntriesPerSecond = 10_000_000 };
        var replicator = new SessionReplicator(store, new SyncState(), new ReplicationStats(), options);
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        replicator.SetMembers(isMember: true, [Peer]);
        var sent = new List<(Address To, IReplicationMessage Message)>();
        replicator.Receive(Peer, SessionSyncRequest.Instance, nowMs, sent);
        for (var turn = 0; turn < 10; turn++)
        {
            replicator.Tick(nowMs + turn, sent);
        }

        var chunks = sent.Select(s => s.Message).OfType<SessionData>().ToList();
        Assert.Equal(4, chunks.Count); // the window, not the budget, held the rest back
        Assert.All(chunks, c => Assert.True(c.Seq > 0 && c.Slices.Sum(s => s.Entries.Count) <= 100));

        var total = chunks.Sum(c => c.Slices.Sum(s => s.Entries.Count));
        for (var turn = 0; turn < 200 && !chunks.Any(c => c.Kind == SessionDataKind.SyncComplete); turn++)
        {
            foreach (var chunk in chunks.Where(c => c.Seq > 0))
            {
                replicator.Receive(Peer, new SessionAck(chunk.Seq), nowMs + 20 + turn, []);
            }

            sent.Clear();
            replicator.Tick(nowMs + 20 + turn, sent);
            chunks = [.. sent.Select(s => s.Message).OfType<SessionData>()];
            total += chunks.Sum(c => c.Slices.Sum(s => s.Entries.Count));
        }

        Assert.Contains(chunks, c => c.Kind == SessionDataKind.SyncComplete);
        Assert.Equal(5_000, total);
    }

    [Fact]
    public void Pack_LongKeys_KeepsEachMessageUnderTheByteBound()
    {
        var time = new FixedTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new ReplicatedSessionStore(new HlcSource(1), new SessionTableOptions { ShardCount = 2 }, time);
        for (var i = 0; i < 400; i++)
        {
            store.Put($"{i:d6}" + new string('k', 500), new string('b', 500), TimeSpan.FromHours(1), time.GetUtcNow());
        }

        var replicator = new SessionReplicator(store, new SyncState(), new ReplicationStats(), new SessionReplicationOptions());
        replicator.SetMembers(isMember: true, [Peer]);
        var sent = new List<(Address To, IReplicationMessage Message)>();
        replicator.FlushDeltas(sent);
        Assert.True(sent.Count > 1);
        Assert.All(sent, s => Assert.InRange(ReplicationCodec.Encode(s.Message).Length, 1, 128_000 - 1_000));
        Assert.Equal(400, sent.Sum(s => ((SessionData)s.Message).Slices.Sum(x => x.Entries.Count)));
    }

    [Fact]
    public void AloneMember_IsSyncedAtOnce_AndStaysSyncedForALaterIncarnation()
    {
        var time = new FixedTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new ReplicatedSessionStore(new HlcSource(1), new SessionTableOptions { ShardCount = 2 }, time);
        var sync = new SyncState();
        var first = new SessionReplicator(store, sync, new ReplicationStats(), new SessionReplicationOptions());
        first.Tick(1_000, []);
        Assert.False(sync.IsStateSynced); // not a member yet
        first.SetMembers(isMember: true, []);
        first.Tick(1_010, []);
        Assert.Equal(SyncStatus.Alone, sync.Status);

        var second = new SessionReplicator(store, sync, new ReplicationStats(), new SessionReplicationOptions());
        second.SetMembers(isMember: true, [Peer]);
        var sent = new List<(Address To, IReplicationMessage Message)>();
        second.Tick(2_000, sent);
        Assert.DoesNotContain(sent, s => s.Message is SessionSyncRequest);
        Assert.True(sync.IsStateSynced);
    }

    [Fact]
    public void EveryPeerRemovedMidSync_GivesUpAtOnce_InsteadOfWaitingForTheBound()
    {
        var time = new FixedTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new ReplicatedSessionStore(new HlcSource(1), new SessionTableOptions { ShardCount = 2 }, time);
        var sync = new SyncState();
        var replicator = new SessionReplicator(store, sync, new ReplicationStats(), new SessionReplicationOptions());
        replicator.SetMembers(isMember: true, [Peer]);
        var sent = new List<(Address To, IReplicationMessage Message)>();
        replicator.Tick(1_000, sent);
        Assert.Contains(sent, s => s.To == Peer && s.Message is SessionSyncRequest);
        Assert.Equal(SyncStatus.Pulling, sync.Status);

        replicator.Tick(1_500, []); // the peer is still a member: keep waiting for its transfer
        Assert.Equal(SyncStatus.Pulling, sync.Status);

        replicator.SetMembers(isMember: true, []); // downed and removed: nobody left to pull from
        replicator.Tick(1_600, []);
        Assert.Equal(SyncStatus.GaveUp, sync.Status);
        Assert.True(sync.IsStateSynced);
    }
}

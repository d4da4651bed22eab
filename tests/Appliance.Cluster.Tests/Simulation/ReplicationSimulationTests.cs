using Appliance.Cluster.Replication;
using Appliance.Cluster.Replication.Messages;

namespace Appliance.Tests.Simulation;

public sealed class ReplicationSimulationTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromHours(1);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Sessions_LossDuplicationReorderingAndPartition_AllReplicasConvergeAfterHeal(int seed)
    {
        var sim = new SimReplicas(seed);
        var nodes = new[] { sim.Start("n1"), sim.Start("n2"), sim.Start("n3") };
        sim.Network.DropRate = 0.2;
        sim.Network.DuplicateRate = 0.1;
        sim.Network.MaxDelayMs = 30;
        var written = new Dictionary<string, string>();

        sim.Run(500, now =>
        {
            if (now == 200)
            {
                sim.Network.Partition([nodes[2].Id.Address], [nodes[0].Id.Address, nodes[1].Id.Address]);
            }

            var writer = nodes[(int)(now / SimReplicas.StepMs) % 3];
            var key = $"http/web/{now}";
            var backend = $"web/b{now % 7}";
            writer.Sessions.Put(key, backend, Idle, sim.Now);
            written[key] = backend;
            if (now % 50 == 0)
            {
                // Re-pin an earlier session from another node: the later write must win.
                var old = $"http/web/{now / 2 / SimReplicas.StepMs * SimReplicas.StepMs}";
                nodes[(int)(now / 50) % 3].Sessions.Put(old, "web/repinned", Idle, sim.Now);
                written[old] = "web/repinned";
            }
        });
        sim.Network.Heal();
        sim.Network.DropRate = 0;
        sim.Run(1_500);

        foreach (var node in nodes)
        {
            Assert.Equal(written.Count, node.Sessions.Count);
            foreach (var (key, backend) in written)
            {
                Assert.True(node.Sessions.TryPeek(key, sim.Now, out var entry), $"{key} missing on {node.Id}");
                Assert.Equal(backend, entry.Backend);
            }
        }

        for (var shard = 0; shard < nodes[0].Sessions.ShardCount; shard++)
        {
            Assert.Equal(nodes[0].Sessions.ShardState(shard), nodes[1].Sessions.ShardState(shard));
            Assert.Equal(nodes[0].Sessions.ShardState(shard), nodes[2].Sessions.ShardState(shard));
        }
    }

    [Fact]
    public void Gauges_NodeCrashesMidLoad_ItsGaugesDisappearEverywhere()
    {
        var sim = new SimReplicas(seed: 4);
        var nodes = new[] { sim.Start("n1"), sim.Start("n2"), sim.Start("n3") };
        sim.Network.DropRate = 0.1;
        nodes[0].Counts.Add("web/a", 3);
        nodes[1].Counts.Add("web/a", 4);
        nodes[2].Counts.Add("web/a", 50);
        sim.Run(500);
        Assert.All(nodes, n => Assert.Equal(57, n.Counts.Get("web/a")));

        sim.Crash(nodes[2]);
        nodes[0].Counts.Add("web/a", -1);
        sim.Run(500);

        Assert.Equal(6, nodes[0].Counts.Get("web/a"));
        Assert.Equal(6, nodes[1].Counts.Get("web/a"));
    }

    [Fact]
    public void NewNode_PeersHoldManySessions_SyncedOnlyAfterPullingEverything()
    {
        var sim = new SimReplicas(seed: 5);
        var a = sim.Start("n1");
        var b = sim.Start("n2");
        for (var i = 0; i < 3_000; i++)
        {
            (i % 2 == 0 ? a : b).Sessions.Put($"tcp/db/10.0.{i / 256}.{i % 256}", $"tcp/db/b{i % 3}", Idle, sim.Now);
        }

        sim.Run(200);
        var c = sim.Start("n3");
        Assert.False(c.Replicator.IsSynced);
        sim.Network.DropRate = 0.05;

        var syncedAt = -1L;
        sim.Run(3_000, now =>
        {
            if (syncedAt < 0 && c.Replicator.IsSynced)
            {
                syncedAt = now;
                Assert.True(c.Sessions.Count > 0);
            }
        });

        Assert.InRange(syncedAt, 0, 3_000 + sim.NowMs);
        Assert.Equal(3_000, c.Sessions.Count);
        Assert.True(a.Replicator.IsSynced);
    }

    [Fact]
    public void LoneMember_NoPeer_SyncedAtOnce()
    {
        var sim = new SimReplicas(seed: 6);
        var alone = sim.Start("n1");

        sim.Run(10);

        Assert.Equal(SyncStatus.Alone, alone.Replicator.Status);
    }

    [Fact]
    public void NotYetAMember_NotSynced_UntilTheUpperBoundThenGivesUp()
    {
        var sim = new SimReplicas(seed: 7);
        var node = sim.Start("n1");
        var replicator = node.Replicator;
        var options = new ReplicatorOptions();

        // Membership still seeking (no cluster found): the node waits, then serves anyway.
        for (var now = 0L; now < options.MaxSyncWaitMs; now += 100)
        {
            replicator.SetMembers(node.Id, isMember: false, [], []);
            replicator.Tick(now);
            Assert.False(replicator.IsSynced, $"synced at {now} ms while not a member");
        }

        replicator.Tick(options.MaxSyncWaitMs);
        Assert.Equal(SyncStatus.GaveUp, replicator.Status);
        Assert.Equal(options.MaxSyncWaitMs, replicator.Stats.SyncDurationMs);
    }

    [Fact]
    public void SyncPeerDiesMidTransfer_RetriesWithAnotherPeer_GetsEverything()
    {
        // 3,000 entries at 4,000/s: the transfer takes about 0.75 s, so the crash lands mid-way.
        var sim = new SimReplicas(seed: 8, options: new ReplicatorOptions { DigestIntervalMs = 100, MaxEntriesPerMessage = 200, DigestSettle = TimeSpan.FromMilliseconds(100), TransferEntriesPerSecond = 4_000 });
        var a = sim.Start("n1");
        var b = sim.Start("n2");
        for (var i = 0; i < 3_000; i++)
        {
            (i % 2 == 0 ? a : b).Sessions.Put($"http/web/{i:x8}", $"web/b{i % 3}", Idle, sim.Now);
        }

        sim.Run(3_000);
        var c = sim.Start("n3");
        sim.Run(200);
        var source = new[] { a, b }.Single(n => n.Replicator.PendingTransfers > 0);
        Assert.Equal(SyncStatus.Pulling, c.Replicator.Status);
        Assert.InRange(c.Sessions.Count, 1, 2_999);

        sim.Crash(source);
        sim.Run(3_000);

        Assert.Equal(SyncStatus.Synced, c.Replicator.Status);
        Assert.Equal(2, c.Replicator.Stats.SyncRequests);
        Assert.Equal(3_000, c.Sessions.Count);
    }

    [Fact]
    public void OnlySyncPeerDiesMidTransfer_NotAlone_KeepsWaiting()
    {
        // Its peers went away mid-sync: it still lacks the state, so it must not call itself alone and ready.
        var sim = new SimReplicas(seed: 12, options: new ReplicatorOptions { DigestIntervalMs = 100, MaxEntriesPerMessage = 200, DigestSettle = TimeSpan.FromMilliseconds(100), TransferEntriesPerSecond = 2_000 });
        var a = sim.Start("n1");
        for (var i = 0; i < 2_000; i++)
        {
            a.Sessions.Put($"http/web/{i:x8}", "web/b1", Idle, sim.Now);
        }

        sim.Run(100);
        var c = sim.Start("n2");
        sim.Run(300);
        Assert.Equal(SyncStatus.Pulling, c.Replicator.Status);

        sim.Crash(a);
        sim.Run(3_000);

        Assert.Equal(SyncStatus.Pulling, c.Replicator.Status);
        Assert.False(c.Replicator.IsSynced);
    }

    [Fact]
    public void BigTable_DigestsHashedAcrossTurns_StillRepairALostSession()
    {
        // 20,000 entries hashed at most 2,000 per turn: each digest takes several turns, and still works.
        var sim = new SimReplicas(seed: 13, options: new ReplicatorOptions { DigestIntervalMs = 100, MaxEntriesPerMessage = 200, DigestSettle = TimeSpan.FromMilliseconds(100), HashEntriesPerTick = 2_000 });
        var a = sim.Start("n1");
        var b = sim.Start("n2");
        for (var i = 0; i < 20_000; i++)
        {
            a.Sessions.Put($"http/web/{i:x8}", "web/b1", Idle, sim.Now);
        }

        sim.Run(500);
        sim.Network.Partition([a.Id.Address], [b.Id.Address]);
        a.Sessions.Put("http/web/lost", "web/b2", Idle, sim.Now);
        sim.Run(100);
        sim.Network.Heal();
        sim.Run(2_000);

        Assert.True(b.Sessions.TryPeek("http/web/lost", sim.Now, out var entry));
        Assert.Equal("web/b2", entry.Backend);
        Assert.Equal(20_001, b.Sessions.Count);
        Assert.True(a.Replicator.Stats.RepairsSent > 0);
    }

    [Fact]
    public void SyncPeerCutOff_NoProgress_AsksAnotherPeerAfterTheRetryDelay()
    {
        var sim = new SimReplicas(seed: 9);
        var a = sim.Start("n1");
        var b = sim.Start("n2");
        a.Sessions.Put("k", "web/b1", Idle, sim.Now);
        sim.Run(100);

        // n3 asks the first peer in address order, n1, which it cannot hear from (membership still sees it).
        var c = sim.Start("n3");
        sim.Network.Partition([a.Id.Address], [c.Id.Address]);
        sim.Run(1_000);
        Assert.Equal(SyncStatus.Pulling, c.Replicator.Status);

        sim.Run(2_000);
        Assert.Equal(SyncStatus.Synced, c.Replicator.Status);
        Assert.Equal(2, c.Replicator.Stats.SyncRequests);
        Assert.True(c.Sessions.TryPeek("k", sim.Now, out _));
    }

    [Fact]
    public void RepairAfterPartition_ManySessions_SentWithinTheBudget()
    {
        const int budget = 20_000;
        var sim = new SimReplicas(seed: 10, options: new ReplicatorOptions { DigestIntervalMs = 100, MaxEntriesPerMessage = 200, DigestSettle = TimeSpan.FromMilliseconds(100), TransferEntriesPerSecond = budget });
        var a = sim.Start("n1");
        var b = sim.Start("n2");
        sim.Run(100);
        sim.Network.Partition([a.Id.Address], [b.Id.Address]);
        for (var i = 0; i < 20_000; i++)
        {
            a.Sessions.Put($"http/web/{i:x8}", "web/b1", Idle, sim.Now);
        }

        sim.Run(100);
        sim.Network.Heal();
        sim.Sent.Clear();
        sim.Run(3_000);

        Assert.Equal(20_000, b.Sessions.Count);
        var repairs = sim.Sent.Where(s => s.Kind == ReplicaDataKind.Repair && s.From == a.Id.Address).ToList();
        Assert.True(repairs.Count > 0, "the partition should have been repaired by anti-entropy");

        // Any 500 ms window: at most half the per-second budget, plus the bucket's burst (a tenth) and one message.
        foreach (var (at, _, _, _) in repairs)
        {
            var inWindow = repairs.Where(r => r.AtMs >= at && r.AtMs < at + 500).Sum(r => r.Entries);
            Assert.True(inWindow <= (budget / 2) + (budget / 10) + 200, $"{inWindow} repair entries in the 500 ms from {at}");
        }

        // And it took about as long as the budget says (20,000 entries at 20,000/s), not one burst.
        Assert.True(repairs[^1].AtMs - repairs[0].AtMs >= 700, $"repair took {repairs[^1].AtMs - repairs[0].AtMs} ms");
    }

    [Fact]
    public void SteadyWrites_NothingLost_NoRepairs()
    {
        // Deltas in flight at a digest must not look like a difference (digests cut before the settle time).
        var sim = new SimReplicas(seed: 11);
        var a = sim.Start("n1");
        var b = sim.Start("n2");
        sim.Network.MaxDelayMs = 20;
        var written = 0;

        sim.Run(3_000, now =>
        {
            for (var i = 0; i < 10; i++)
            {
                (i % 2 == 0 ? a : b).Sessions.Put($"http/web/{now:x8}{i}", "web/b1", Idle, sim.Now);
                written++;
            }
        });
        sim.Run(300);

        Assert.Equal(written, a.Sessions.Count);
        Assert.Equal(written, b.Sessions.Count);
        Assert.DoesNotContain(sim.Sent, s => s.Kind == ReplicaDataKind.Repair);
        Assert.Equal(0, a.Replicator.Stats.RepairsSent + b.Replicator.Stats.RepairsSent);
    }
}

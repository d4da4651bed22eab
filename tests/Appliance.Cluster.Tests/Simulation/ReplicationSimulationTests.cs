using Appliance.Cluster.Replication;

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
    public void LoneNode_NoPeerShowsUp_SyncedOnlyAfterWaiting()
    {
        var sim = new SimReplicas(seed: 6, options: new ReplicatorOptions { AloneAfterMs = 1_000 });
        var alone = sim.Start("n1");

        sim.Run(900);
        Assert.False(alone.Replicator.IsSynced);

        sim.Run(200);
        Assert.True(alone.Replicator.IsSynced);
    }
}

using Appliance.Cluster.Membership;
using Appliance.Core.Membership;

namespace Appliance.Tests.Simulation;

/// <summary>
/// Many nodes in one process over the simulated network, each scenario over many seeds.
/// Times are simulated milliseconds, so the assertions on detection time are exact, not flaky.
/// </summary>
public sealed class MembershipSimulationTests
{
    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 12)];

    private static SimCluster Formed(int nodes, int seed, MembershipOptions? options = null)
    {
        var cluster = new SimCluster(nodes, seed, options);
        cluster.Start(staggerMs: 50);
        cluster.RunUntil(() => cluster.Converged(nodes), 15_000, $"{nodes} nodes join");
        return cluster;
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void Join_AllSeeds_FormOneClusterWithEveryoneUp(int nodes)
    {
        for (var seed = 1; seed <= 8; seed++)
        {
            var cluster = Formed(nodes, seed);
            Assert.Single(cluster.Running.Select(n => n.Gossip.Leader()!.Id).Distinct());
            Assert.All(cluster.Running, n => Assert.Equal(1, n.Incarnations));
        }
    }

    [Fact]
    public void Join_OnlyOneSeed_OthersJoinThroughIt()
    {
        var cluster = new SimCluster(4, seed: 3, seedCount: 1);
        cluster.Start(staggerMs: 20);
        cluster.RunUntil(() => cluster.Converged(4), 15_000, "join through one seed");
    }

    [Fact]
    public void Join_SelfSeedAlone_FormsClusterOnlyAfterSeedTimeout()
    {
        var cluster = new SimCluster(1, seed: 1);
        cluster.Start();

        cluster.RunFor(2_900);
        Assert.Equal(NodePhase.Seeking, cluster[0].Phase);
        var waited = cluster.RunUntil(() => cluster.Converged(1), 1_000, "self-seed forms a cluster");
        Assert.InRange(2_900 + waited, 3_000, 3_100);
    }

    [Fact]
    public void Join_NonSeedWithNoSeedAnswering_KeepsSeekingAndNeverFormsItsOwnCluster()
    {
        var cluster = new SimCluster(2, seed: 1, seedCount: 1);
        cluster.Start([1]); // only the non-seed runs

        cluster.RunFor(10_000);

        Assert.Equal(NodePhase.Seeking, cluster[1].Phase);
        Assert.Empty(cluster[1].Gossip.Members);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Crash_SurvivorsMarkUnreachableWithinOneSecond_ThenDownAndRemove(int seed)
    {
        var cluster = Formed(5, seed);
        var victim = cluster[2].Self;

        cluster.Crash(2);
        var detected = cluster.RunUntil(
            () => cluster.Running.All(n => !n.Gossip.Reachability.IsReachable(n.Self.Uid, victim.Uid)),
            5_000, "every survivor suspects the crashed node");
        Assert.True(detected < 1_000, $"detection took {detected} ms");

        cluster.RunUntil(() => cluster.Running.All(n => n.Gossip.Find(victim.Uid) is null), 6_000, "crashed node removed everywhere");
        Assert.True(cluster.Converged(4));
        Assert.All(cluster.Running, n => Assert.True(n.Gossip.IsTombstoned(victim.Uid)));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Leave_Graceful_NodeStopsAndIsRemovedWithoutBeingDowned(int seed)
    {
        var cluster = Formed(4, seed);
        var leaver = cluster[1];
        var sawDown = false;

        foreach (var message in leaver.Leave(cluster.NowMs))
        {
            cluster.Network.Send(leaver.Self.Address, message, cluster.NowMs);
        }

        cluster.RunUntil(() => leaver.Phase == NodePhase.Stopped, 3_000, "leaver stops");
        cluster.Crash(1); // a stopped node's process exits
        cluster.RunUntil(
            () =>
            {
                sawDown |= cluster.Running.Any(n => n.Gossip.Find(leaver.Self.Uid)?.Status == MemberStatus.Down);
                return cluster.Running.All(n => n.Gossip.Find(leaver.Self.Uid) is null);
            },
            5_000, "leaver removed");
        Assert.False(sawDown, "a gracefully leaving node was downed");
        Assert.True(cluster.Converged(3));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void PartitionAndHeal_BothSidesKeepServing_ThenOneClusterAgain(int seed)
    {
        var cluster = Formed(5, seed);
        var minority = cluster.Addresses.Skip(3).ToList();
        cluster.Network.Partition(cluster.Addresses.Take(3), minority);

        // Availability first: each side downs the other and carries on.
        cluster.RunUntil(() => cluster.Running.All(n => n.Gossip.Members.Count == (minority.Contains(n.Self.Address) ? 2 : 3)
            && n.Gossip.Members.Values.All(m => m.Status == MemberStatus.Up)), 10_000, "each side a cluster of its own");

        cluster.Network.Heal();
        cluster.RunUntil(() => cluster.Converged(5), 15_000, "one cluster after heal");
        // The smaller side rejoined the larger as new incarnations.
        Assert.All(minority, a => Assert.Equal(2, cluster.Node(a).Incarnations));
        Assert.All(cluster.Addresses.Take(3), a => Assert.Equal(1, cluster.Node(a).Incarnations));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void PartitionAndHeal_TwoNodes_OneClusterAgainWithTheLowerAddressKeepingItsIncarnation(int seed)
    {
        var cluster = Formed(2, seed);
        cluster.Network.Partition([cluster.Addresses[0]], [cluster.Addresses[1]]);
        cluster.RunUntil(() => cluster.Running.All(n => n.Gossip.Members.Count == 1), 10_000, "both alone");

        cluster.Network.Heal();
        cluster.RunUntil(() => cluster.Converged(2), 15_000, "one cluster after heal");
        Assert.Equal(1, cluster[0].Incarnations);
        Assert.Equal(2, cluster[1].Incarnations);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Restart_QuickerThanDetection_OldIncarnationDownedNewOneUp(int seed)
    {
        var cluster = Formed(3, seed);
        var old = cluster[2].Self;

        cluster.Crash(2);
        cluster.RunFor(100);
        cluster.Restart(2);
        var fresh = cluster[2].Self;

        Assert.NotEqual(old.Uid, fresh.Uid);
        cluster.RunUntil(() => cluster.Converged(3) && cluster.Running.All(n => n.Gossip.Find(fresh.Uid)?.Status == MemberStatus.Up), 10_000, "restarted node rejoins");
        Assert.All(cluster.Running, n => Assert.Null(n.Gossip.Find(old.Uid)));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void LossyNetwork_DropsDuplicatesAndReorders_StillConvergesAfterCrash(int seed)
    {
        var cluster = new SimCluster(5, seed);
        cluster.Network.DropRate = 0.05;
        cluster.Network.DuplicateRate = 0.05;
        cluster.Network.MaxDelayMs = 30; // reorders freely
        cluster.Start(staggerMs: 50);
        cluster.RunUntil(() => cluster.Converged(5), 20_000, "join over a lossy network");

        cluster.Crash(4);
        cluster.RunUntil(() => cluster.Converged(4), 15_000, "crash handled over a lossy network");
    }

    [Fact]
    public void LossyNetwork_TenMinutesAtFivePercentLoss_NoFalseDown()
    {
        var cluster = Formed(5, seed: 42);
        cluster.Network.DropRate = 0.05;
        cluster.Network.MaxDelayMs = 10;
        var downs = 0;

        cluster.RunFor(10 * 60 * 1000, () =>
        {
            foreach (var node in cluster.Running)
            {
                downs += node.Gossip.Members.Values.Count(m => m.Status == MemberStatus.Down);
            }
        });

        Assert.Equal(0, downs);
        Assert.True(cluster.Converged(5));
        Assert.All(cluster.Running, n => Assert.Equal(1, n.Incarnations));
    }
}

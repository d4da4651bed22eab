using Appliance.Cluster.Membership;
using Appliance.Core.Membership;

namespace Appliance.Tests.Simulation;

/// <summary>A refused connection (the peer's host is up, its process gone) is suspicion without waiting for phi.</summary>
public sealed class RefusedPeerSimulationTests
{
    private static SimCluster Formed(int seed)
    {
        var cluster = new SimCluster(3, seed);
        cluster.Start();
        cluster.RunUntil(() => cluster.Converged(3), 15_000, "3 nodes join");
        cluster.RunFor(2_000);
        return cluster;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void PeerRefused_CrashedNode_UnreachableOnTheNextTickNotAfterThePhiPause(int seed)
    {
        var cluster = Formed(seed);
        var victim = cluster[2].Self;
        cluster.Crash(2);

        cluster[0].PeerRefused(victim.Address);
        cluster.RunFor(SimCluster.StepMs * 2);

        Assert.False(cluster[0].Gossip.Reachability.IsReachable(cluster[0].Self.Uid, victim.Uid));
        Assert.True(cluster[1].Gossip.Reachability.IsReachable(cluster[1].Self.Uid, victim.Uid), "an observer that was not refused still waits for phi");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void PeerRefused_ButItAnswersHeartbeatsAgain_ReachableOnceANewAnswerArrives(int seed)
    {
        var cluster = Formed(seed);
        var peer = cluster[1].Self;

        cluster[0].PeerRefused(peer.Address);
        cluster.RunFor(SimCluster.StepMs * 2);
        var suspected = !cluster[0].Gossip.Reachability.IsReachable(cluster[0].Self.Uid, peer.Uid);
        var healed = cluster.RunUntil(() => cluster[0].Gossip.Reachability.IsReachable(cluster[0].Self.Uid, peer.Uid), 5_000, "reachable again after a heartbeat answer");

        Assert.True(suspected);
        Assert.True(healed < 1_000, $"took {healed} ms");
        Assert.Equal(MemberStatus.Up, cluster[0].Gossip.Find(peer.Uid)!.Status);
    }

    [Fact]
    public void PeerRefused_UnknownAddress_ChangesNothing()
    {
        var cluster = Formed(5);
        var before = cluster[0].Gossip;

        cluster[0].PeerRefused(new NodeAddress("elsewhere", 1));
        cluster.RunFor(SimCluster.StepMs * 2);

        Assert.All(cluster[0].Gossip.Members.Values, m => Assert.True(cluster[0].Gossip.Reachability.IsReachable(m.Id.Uid)));
        Assert.Equal(before.Members.Count, cluster[0].Gossip.Members.Count);
    }
}

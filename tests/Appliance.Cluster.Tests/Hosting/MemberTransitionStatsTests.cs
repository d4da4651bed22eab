using Appliance.Cluster.Hosting;
using Appliance.Tests.Simulation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Tests.Hosting;

/// <summary>
/// The counters behind appliance_cluster_member_transitions_total and appliance_cluster_member_phi_max,
/// as node 1's view tracker sees a simulated cluster (simulated time: exact, not flaky).
/// </summary>
public sealed class MemberTransitionStatsTests
{
    private static (SimCluster Cluster, MemberTransitionStats Stats, Action Observe) Watched(int seed)
    {
        var cluster = new SimCluster(3, seed);
        cluster.Start();
        cluster.RunUntil(() => cluster.Converged(3), 15_000, "3 nodes join");
        cluster.RunFor(2_000); // every detector has heard its peer for a while
        var stats = new MemberTransitionStats();
        var tracker = new ViewTracker(NullLogger.Instance, stats);
        void Observe() => tracker.Observe(cluster[0], ViewTracker.Build(cluster[0], cluster.NowMs, DateTimeOffset.UnixEpoch));
        Observe();
        return (cluster, stats, Observe);
    }

    [Fact]
    public void Steady_NothingCounted_PhiStaysLow()
    {
        var (cluster, stats, observe) = Watched(seed: 1);

        cluster.RunFor(5_000, observe);

        Assert.Equal((0, 0, 0, 0), (stats.Unreachable, stats.ReachableAgain, stats.Downed, stats.Removed));
        Assert.InRange(stats.MaxPhiOfUpMember, 0, 1);
    }

    [Fact]
    public void ShortPartition_OneUnreachableAndOneRecovery_NoDown()
    {
        var (cluster, stats, observe) = Watched(seed: 2);

        // Longer than detection (about 0.7 s), shorter than DownAfter (2 s): a flap.
        cluster.Network.Partition([cluster.Addresses[2]], cluster.Addresses.Take(2));
        cluster.RunFor(1_300, observe);
        cluster.Network.Heal();
        cluster.RunFor(3_000, observe);

        // Node 3 and, once its gossip arrives after the heal, node 3's opinion of node 2.
        Assert.InRange(stats.Unreachable, 1, 2);
        Assert.Equal(stats.Unreachable, stats.ReachableAgain);
        Assert.Equal(0, stats.Downed);
        Assert.Equal(0, stats.Removed);
        Assert.True(stats.MaxPhiOfUpMember >= 8, $"max phi {stats.MaxPhiOfUpMember}: the member crossed the threshold while Up");
    }

    [Fact]
    public void Crash_PhiInTheViewStaysFinite_UntilTheMemberIsGone()
    {
        var (cluster, _, _) = Watched(seed: 4);
        cluster.Crash(2);
        var highest = 0.0;

        // Silent for long enough that the detector's probability underflows (phi = +Infinity) before the member is removed.
        cluster.RunFor(8_000, () =>
        {
            foreach (var m in ViewTracker.Build(cluster[0], cluster.NowMs, DateTimeOffset.UnixEpoch).Members)
            {
                Assert.True(double.IsFinite(m.Phi), $"{m.Name}: phi {m.Phi} at {cluster.NowMs} ms");
                highest = Math.Max(highest, m.Phi);
            }
        });

        Assert.Equal(ViewTracker.PhiCeiling, highest);
    }

    [Fact]
    public void Crash_CountedAsUnreachableDownAndRemoved()
    {
        var (cluster, stats, observe) = Watched(seed: 3);

        cluster.Crash(2);
        cluster.RunFor(8_000, observe);

        Assert.Equal(1, stats.Unreachable);
        Assert.Equal(1, stats.Downed);
        Assert.Equal(1, stats.Removed);
        Assert.Equal(0, stats.ReachableAgain);
    }
}

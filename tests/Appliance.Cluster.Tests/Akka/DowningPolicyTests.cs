using Appliance.Cluster.Downing;

namespace Appliance.Tests.Akka;

public sealed class DowningPolicyTests
{
    private static DowningPolicy<string> Policy(double downAfterS = 30) =>
        new(TimeSpan.FromSeconds(downAfterS), TimeSpan.FromSeconds(1));

    [Fact]
    public void Decide_UnreachableAndRefusedForOneSecond_DownsOnce()
    {
        var policy = Policy();
        policy.Unreachable("b", 1_000);
        policy.Refused("b", 1_100);
        Assert.Empty(policy.Decide(2_000));
        var down = Assert.Single(policy.Decide(2_100));
        Assert.Equal("b", down.Member);
        Assert.Contains("refusing", down.Reason, StringComparison.Ordinal);
        Assert.Empty(policy.Decide(5_000));
    }

    [Fact]
    public void Decide_RefusedButReachable_DownsNothing()
    {
        var policy = Policy();
        policy.Refused("b", 0);
        Assert.Empty(policy.Decide(10_000));
    }

    [Fact]
    public void Decide_ConnectedAgain_ForgetsTheRefusal()
    {
        var policy = Policy();
        policy.Unreachable("b", 0);
        policy.Refused("b", 0);
        policy.Connected("b");
        Assert.Empty(policy.Decide(2_000));
    }

    [Fact]
    public void Decide_UnreachableWithoutRefusal_WaitsForDownAfter()
    {
        var policy = Policy(downAfterS: 30);
        policy.Unreachable("b", 0);
        Assert.Empty(policy.Decide(29_999));
        Assert.Equal("b", Assert.Single(policy.Decide(30_000)).Member);
    }

    [Fact]
    public void Decide_DownAfterZero_NeverDownsASilentMember()
    {
        var policy = Policy(downAfterS: 0);
        policy.Unreachable("b", 0);
        Assert.Empty(policy.Decide(long.MaxValue / 2));
    }

    [Fact]
    public void Decide_ReachableAgain_StartsTheClockOver()
    {
        var policy = Policy(downAfterS: 10);
        policy.Unreachable("b", 0);
        policy.Reachable("b");
        policy.Unreachable("b", 9_000);
        Assert.Empty(policy.Decide(10_000));
        Assert.Single(policy.Decide(19_000));
    }

    [Fact]
    public void Decide_FlappingLink_NeverDowns()
    {
        // A degraded link: unreachable for up to 2 s at a time, then reachable; no refusals.
        var policy = Policy(downAfterS: 30);
        for (long t = 0; t < 300_000; t += 3_000)
        {
            policy.Unreachable("b", t);
            Assert.Empty(policy.Decide(t + 2_000));
            policy.Reachable("b");
        }
    }

    [Fact]
    public void Decide_DownedThenRemoved_JudgesANewUnreachabilityAgain()
    {
        var policy = Policy();
        policy.Unreachable("b", 0);
        policy.Refused("b", 0);
        Assert.Single(policy.Decide(1_000));
        policy.Removed("b");
        policy.Unreachable("b", 5_000);
        policy.Refused("b", 5_000);
        Assert.Single(policy.Decide(6_000));
    }
}

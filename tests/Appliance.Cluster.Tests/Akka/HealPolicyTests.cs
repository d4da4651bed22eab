using Appliance.Cluster.Membership;

namespace Appliance.Tests.Akka;

/// <summary>Which side of a healed partition yields: decided alike on both sides, without talking.</summary>
public sealed class HealPolicyTests
{
    private static readonly TimeSpan HealAfter = TimeSpan.FromSeconds(6);

    [Fact]
    public void LowestSide_NeverAsks_HigherSideYieldsAfterHealAfter()
    {
        // lb1 (10.0.0.1) cut off from lb2 and lb3: each side lost the other.
        var lone = new HealPolicy(HealAfter);
        lone.LostMember("10.0.0.2:7946");
        lone.LostMember("10.0.0.3:7946");
        Assert.Empty(lone.ToAsk(["10.0.0.1:7946"]));

        var pair = new HealPolicy(HealAfter);
        pair.LostMember("10.0.0.1:7946");
        string[] members = ["10.0.0.2:7946", "10.0.0.3:7946"];
        Assert.Equal(["10.0.0.1:7946"], pair.ToAsk(members));

        pair.Answer("10.0.0.1:7946", alive: true, nowMs: 1_000);
        Assert.Null(pair.YieldTo(members, 6_999));
        Assert.Equal("10.0.0.1:7946", pair.YieldTo(members, 7_000));
    }

    [Fact]
    public void RestartedNode_JoinsWithinHealAfter_NoYield()
    {
        var policy = new HealPolicy(HealAfter);
        policy.LostMember("10.0.0.1:7946"); // killed, downed
        string[] members = ["10.0.0.2:7946"];
        policy.Answer("10.0.0.1:7946", alive: true, nowMs: 0); // restarted, answers at once
        policy.Member("10.0.0.1:7946"); // and joins this cluster
        Assert.Empty(policy.ToAsk(members));
        Assert.Null(policy.YieldTo(members, 60_000));
    }

    [Fact]
    public void SilenceRestartsTheClock()
    {
        var policy = new HealPolicy(HealAfter);
        policy.LostMember("10.0.0.1:7946");
        string[] members = ["10.0.0.2:7946"];
        policy.Answer("10.0.0.1:7946", alive: true, nowMs: 0);
        policy.Answer("10.0.0.1:7946", alive: false, nowMs: 5_000);
        policy.Answer("10.0.0.1:7946", alive: true, nowMs: 6_000);
        Assert.Null(policy.YieldTo(members, 11_999));
        Assert.Equal("10.0.0.1:7946", policy.YieldTo(members, 12_000));
    }
}

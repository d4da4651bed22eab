using Appliance.Proxy.Health;

namespace Appliance.Tests.Health;

public sealed class RiseFallCounterTests
{
    private const int Rise = 3;
    private const int Fall = 3;

    /// <summary>Feeds probes written as G (good) and B (bad).</summary>
    private static RiseFallCounter Run(RiseFallCounter start, string probes)
    {
        var counter = start;
        foreach (var p in probes)
        {
            counter = counter.Next(p == 'G', Rise, Fall);
        }

        return counter;
    }

    private static readonly RiseFallCounter Healthy = Run(RiseFallCounter.Initial, "G");
    private static readonly RiseFallCounter Unhealthy = Run(RiseFallCounter.Initial, "BBB");

    [Fact]
    public void Next_UnknownFirstGoodProbe_Healthy()
    {
        Assert.Equal(ProbeVerdict.Unknown, RiseFallCounter.Initial.Verdict);
        Assert.Equal(ProbeVerdict.Healthy, Healthy.Verdict);
    }

    [Theory]
    [InlineData("B", nameof(ProbeVerdict.Unknown))]
    [InlineData("BB", nameof(ProbeVerdict.Unknown))]
    [InlineData("BBB", nameof(ProbeVerdict.Unhealthy))]
    [InlineData("BBG", nameof(ProbeVerdict.Healthy))]
    public void Next_UnknownBadProbes_UnhealthyOnlyAfterFall(string probes, string expected) =>
        Assert.Equal(expected, Run(RiseFallCounter.Initial, probes).Verdict.ToString()); // ProbeVerdict is internal: named in the data

    [Fact]
    public void Next_HealthyFallMinusOneBadThenGood_StaysHealthyAndResetsRun()
    {
        var shaky = Run(Healthy, "BB");
        Assert.Equal(ProbeVerdict.Healthy, shaky.Verdict);
        Assert.Equal(2, shaky.BadInARow);

        var recovered = Run(shaky, "G");
        Assert.Equal(new RiseFallCounter(ProbeVerdict.Healthy, 1, 0), recovered);

        Assert.Equal(ProbeVerdict.Healthy, Run(recovered, "BB").Verdict);
        Assert.Equal(ProbeVerdict.Unhealthy, Run(recovered, "BBB").Verdict);
    }

    [Theory]
    [InlineData("G", nameof(ProbeVerdict.Unhealthy))]
    [InlineData("GG", nameof(ProbeVerdict.Unhealthy))]
    [InlineData("GGG", nameof(ProbeVerdict.Healthy))]
    [InlineData("GGB", nameof(ProbeVerdict.Unhealthy))]
    [InlineData("GGBGG", nameof(ProbeVerdict.Unhealthy))]
    [InlineData("GGBGGG", nameof(ProbeVerdict.Healthy))]
    public void Next_Unhealthy_NeedsExactlyRiseConsecutiveGoods(string probes, string expected) =>
        Assert.Equal(expected, Run(Unhealthy, probes).Verdict.ToString());

    [Fact]
    public void Next_HealthyGoodProbe_StaysHealthyAndCountsGoods()
    {
        var counter = Run(Healthy, "GG");

        Assert.Equal(new RiseFallCounter(ProbeVerdict.Healthy, 3, 0), counter);
    }

    [Fact]
    public void Next_RiseAndFallOfOne_FlipsOnEveryChange()
    {
        var down = Healthy.Next(false, rise: 1, fall: 1);
        var up = down.Next(true, rise: 1, fall: 1);

        Assert.Equal(ProbeVerdict.Unhealthy, down.Verdict);
        Assert.Equal(ProbeVerdict.Healthy, up.Verdict);
    }
}

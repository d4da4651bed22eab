using Appliance.Proxy.Health;
using Appliance.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Appliance.Tests.Health;

public sealed class HealthPropertyTests
{
    private static readonly Gen<(int Rise, int Fall, bool[] Probes)> Runs =
        from rise in Gen.Choose(1, 6)
        from fall in Gen.Choose(1, 6)
        from probes in Gen.ArrayOf(Gen.Elements(true, false))
        select (rise, fall, probes);

    [Fact]
    public void Next_AnyProbeSequence_VerdictFollowsTheLastRun()
    {
        // After any history: fall bad probes in a row always leave the backend unhealthy, and a
        // backend is healthy after rise good ones in a row.
        PropertyCheck.Run(Prop.ForAll(Runs.ToArbitrary(), run =>
        {
            var counter = RiseFallCounter.Initial;
            foreach (var good in run.Probes)
            {
                counter = counter.Next(good, run.Rise, run.Fall);
            }

            var afterFall = counter;
            var afterRise = counter;
            for (var n = 0; n < run.Fall; n++)
            {
                afterFall = afterFall.Next(false, run.Rise, run.Fall);
            }

            for (var n = 0; n < run.Rise; n++)
            {
                afterRise = afterRise.Next(true, run.Rise, run.Fall);
            }

            return afterFall.Verdict == ProbeVerdict.Unhealthy && afterRise.Verdict == ProbeVerdict.Healthy;
        }));
    }

    [Fact]
    public void Next_Unhealthy_FewerThanRiseGoodsKeepItDown()
    {
        var cases =
            from rise in Gen.Choose(2, 8)
            from goods in Gen.Choose(1, rise - 1)
            select (rise, goods);

        PropertyCheck.Run(Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var counter = RiseFallCounter.Initial.Next(false, c.rise, fall: 1);
            for (var n = 0; n < c.goods; n++)
            {
                counter = counter.Next(true, c.rise, fall: 1);
            }

            return counter.Verdict == ProbeVerdict.Unhealthy;
        }));
    }
}

using Appliance.Vip.Ownership;

namespace Appliance.Tests.Ownership;

public sealed class AnnounceScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static List<double> Run(AnnounceSchedule s, string vip, double untilSeconds)
    {
        var sent = new List<double>();
        for (var ms = 0; ms <= untilSeconds * 1000; ms += 10)
        {
            if (s.Due(T0.AddMilliseconds(ms)).Contains(vip))
            {
                sent.Add(ms / 1000.0);
            }
        }

        return sent;
    }

    [Fact]
    public void Due_DefaultSettings_FiveAt100msThenFiveMoreAfter5s()
    {
        var s = new AnnounceSchedule(AnnounceSettings.Default);
        s.Start("v", "eth0", T0);

        var sent = Run(s, "v", 6);

        Assert.Equal([0, 0.1, 0.2, 0.3, 0.4, 5, 5.1, 5.2, 5.3, 5.4], sent);
    }

    [Fact]
    public void Due_TwoVipsOnOneInterface_RateLimitSpacesThem()
    {
        var s = new AnnounceSchedule(new(1, TimeSpan.FromMilliseconds(100), TimeSpan.Zero, TimeSpan.FromMilliseconds(50)));
        s.Start("v1", "eth0", T0);
        s.Start("v2", "eth0", T0);

        var first = s.Due(T0);
        var tooSoon = s.Due(T0.AddMilliseconds(20));
        var later = s.Due(T0.AddMilliseconds(50));

        Assert.Single(first);
        Assert.Empty(tooSoon);
        Assert.Single(later);
    }

    [Fact]
    public void Cancel_AfterRelease_NothingMoreIsSent()
    {
        var s = new AnnounceSchedule(AnnounceSettings.Default);
        s.Start("v", "eth0", T0);
        s.Due(T0);

        s.Cancel("v");

        Assert.Empty(Run(s, "v", 6));
    }
}

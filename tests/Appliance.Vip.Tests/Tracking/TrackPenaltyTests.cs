using Appliance.Vip.Tracking;

namespace Appliance.Tests.Tracking;

public sealed class TrackPenaltyTests
{
    [Fact]
    public void Of_FailingWeightsOnly_AreSummed() =>
        Assert.Equal(30, TrackPenalty.Of([new("interface eth1", 10, true), new("pool web", 20, true), new("pool api", 50, false)]));

    [Fact]
    public void Of_FailingWeightZero_IsFault() =>
        Assert.Equal(TrackPenalty.Fault, TrackPenalty.Of([new("interface eth1", 10, true), new("script gw", 0, true)]));

    [Fact]
    public void Of_NothingFailing_IsZero() =>
        Assert.Equal(0, TrackPenalty.Of([new("interface eth1", 0, false)]));
}

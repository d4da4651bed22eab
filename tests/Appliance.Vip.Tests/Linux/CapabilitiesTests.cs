using Appliance.Vip.Linux;

namespace Appliance.Tests.Linux;

public sealed class CapabilitiesTests
{
    [Fact]
    public void MissingForVips_Root_IsNull() =>
        Assert.Null(Capabilities.MissingForVips("Name:\tx\nCapEff:\t000001ffffffffff\n"));

    [Fact]
    public void MissingForVips_NoCaps_NamesBothAndTheFix()
    {
        var message = Capabilities.MissingForVips("CapEff:\t0000000000000000\n");

        Assert.Contains("CAP_NET_ADMIN", message, StringComparison.Ordinal);
        Assert.Contains("CAP_NET_RAW", message, StringComparison.Ordinal);
        Assert.Contains("AmbientCapabilities", message, StringComparison.Ordinal);
    }
}

using System.Text.Json.Nodes;
using Appliance.Core.Configuration;
using static Appliance.Tests.Configuration.TestConfigs;

namespace Appliance.Tests.Configuration;

/// <summary>The VipAdverts section: defaults that are fast and do not flap; each bad value refused with its path.</summary>
public sealed class VipAdvertsSectionTests(TempCertificates certificates) : IClassFixture<TempCertificates>, IDisposable
{
    private readonly string _key = Path.Combine(Path.GetTempPath(), $"cluster-{Guid.NewGuid():N}.key");

    public void Dispose() => File.Delete(_key);

    private ConfigLoadResult ParseWith(Action<JsonObject> change)
    {
        File.WriteAllText(_key, Convert.ToBase64String(new byte[32]));
        return ConfigLoader.Parse(FullWith(certificates, root =>
        {
            root["Cluster"] = new JsonObject { ["BindAddress"] = "198.18.0.11:7946", ["Seeds"] = new JsonArray("198.18.0.11:7946"), ["KeyFile"] = _key };
            root["Vips"] = new JsonArray(new JsonObject
            {
                ["Address"] = "198.18.0.10/24",
                ["Interface"] = "eth0",
                ["Priorities"] = new JsonObject { ["lb1"] = 200, ["lb2"] = 100 },
            });
            var adverts = new JsonObject();
            root["VipAdverts"] = adverts;
            change(adverts);
        }));
    }

    [Fact]
    public void Parse_Empty_LoadsTheDefaults()
    {
        var result = ParseWith(_ => { });

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var adverts = result.Config!.VipAdverts;
        Assert.Equal(7947, adverts.Port);
        Assert.Equal(TimeSpan.FromMilliseconds(20), adverts.Interval);
        Assert.Equal(8, adverts.MissCount);
        Assert.Empty(adverts.Peers);
        Assert.Null(adverts.Multicast);
    }

    [Fact]
    public void Parse_IntervalTooShort_ReportsTheRange() =>
        AssertSingleError(ParseWith(a => a["Interval"] = "00:00:00.001"), "$.VipAdverts.Interval", "00:00:00.010..00:00:10");

    [Fact]
    public void Parse_OneMissIsNotEnough() =>
        AssertSingleError(ParseWith(a => a["MissCount"] = 1), "$.VipAdverts.MissCount", "2..100");

    [Fact]
    public void Parse_BadPort_ReportsIt() =>
        AssertSingleError(ParseWith(a => a["Port"] = 70000), "$.VipAdverts.Port", "1..65535");

    [Fact]
    public void Parse_PeerNotAnAddress_ReportsItsIndex() =>
        AssertSingleError(ParseWith(a => a["Peers"] = new JsonArray("198.18.0.12", "lb3")), "$.VipAdverts.Peers[1]", "'lb3'");

    [Fact]
    public void Parse_MulticastOutsideTheRange_ReportsTheGroup() =>
        AssertSingleError(ParseWith(a => a["Multicast"] = new JsonObject { ["Group"] = "198.18.0.1", ["Interface"] = "eth0" }), "$.VipAdverts.Multicast.Group", "224.0.0.0/4");

    [Fact]
    public void Parse_PeersAndMulticastBoth_IsRefused() =>
        AssertSingleError(ParseWith(a =>
        {
            a["Peers"] = new JsonArray("198.18.0.12");
            a["Multicast"] = new JsonObject { ["Interface"] = "eth0" };
        }), "$.VipAdverts.Peers", "remove one");
}

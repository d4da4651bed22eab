using System.Text.Json.Nodes;
using Appliance.Core.Configuration;
using static Appliance.Tests.Configuration.TestConfigs;

namespace Appliance.Tests.Configuration;

/// <summary>The Vips section: a good one loads with keepalived-like defaults; each bad value is refused with its path.</summary>
public sealed class VipsSectionTests(TempCertificates certificates) : IClassFixture<TempCertificates>, IDisposable
{
    private readonly string _key = Path.Combine(Path.GetTempPath(), $"cluster-{Guid.NewGuid():N}.key");

    public void Dispose() => File.Delete(_key);

    private static JsonObject Vip() => new()
    {
        ["Address"] = "198.18.0.10/24",
        ["Interface"] = "eth0",
        ["Priorities"] = new JsonObject { ["lb1"] = 200, ["lb2"] = 100 },
    };

    private ConfigLoadResult ParseWith(Action<JsonObject> change)
    {
        File.WriteAllText(_key, Convert.ToBase64String(new byte[32]));
        return ConfigLoader.Parse(FullWith(certificates, root =>
        {
            root["Cluster"] = new JsonObject { ["BindAddress"] = "198.18.0.11:7946", ["Seeds"] = new JsonArray("198.18.0.11:7946"), ["KeyFile"] = _key };
            var vip = Vip();
            root["Vips"] = new JsonArray(vip);
            change(vip);
        }));
    }

    [Fact]
    public void Parse_GoodVip_LoadsWithDefaults()
    {
        var result = ParseWith(_ => { });

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var vip = Assert.Single(result.Config!.Vips);
        Assert.Equal(200, vip.Priorities["lb1"]);
        Assert.True(vip.Preempt);
        Assert.Equal(5, vip.Garp.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(100), vip.Garp.Interval);
        Assert.Equal(TimeSpan.FromSeconds(5), vip.Garp.SecondBurstDelay);
    }

    [Fact]
    public void Parse_NoSection_HasNoVips() =>
        Assert.Empty(ConfigLoader.Parse(Full(certificates)).Config!.Vips);

    [Fact]
    public void Parse_AddressWithoutPrefix_ReportsPathAndForm() =>
        AssertSingleError(ParseWith(v => v["Address"] = "198.18.0.10"), "$.Vips[0].Address", "prefix", "198.18.0.10/24");

    [Fact]
    public void Parse_PriorityOutOfRange_ReportsTheNode() =>
        AssertSingleError(ParseWith(v => v["Priorities"]!["lb2"] = 300), "$.Vips[0].Priorities.lb2", "1..255");

    [Fact]
    public void Parse_UnknownKey_IsAnError()
    {
        var result = ParseWith(v => v["Prempt"] = false);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Path.Contains("Prempt", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_TrackPoolNamesNeitherOrBoth_AsksForExactlyOne()
    {
        AssertSingleError(ParseWith(v => v["Track"] = new JsonObject { ["Pools"] = new JsonArray(new JsonObject { ["Weight"] = 50 }) }),
            "$.Vips[0].Track.Pools[0]", "exactly one pool");
        AssertSingleError(ParseWith(v => v["Track"] = new JsonObject { ["Pools"] = new JsonArray(new JsonObject { ["Cluster"] = "web", ["TcpPool"] = "db", ["Weight"] = 50 }) }),
            "$.Vips[0].Track.Pools[0]", "exactly one pool");
    }

    [Fact]
    public void Parse_TrackTcpPoolNotDefined_SaysSo() =>
        AssertSingleError(ParseWith(v => v["Track"] = new JsonObject { ["Pools"] = new JsonArray(new JsonObject { ["TcpPool"] = "nope", ["Weight"] = 50 }) }),
            "$.Vips[0].Track.Pools[0].TcpPool", "'nope'", "Tcp.Pools");

    [Fact]
    public void Parse_TrackPoolNotAProxyCluster_NamesTheKnownOnes() =>
        AssertSingleError(ParseWith(v => v["Track"] = new JsonObject { ["Pools"] = new JsonArray(new JsonObject { ["Cluster"] = "nope", ["Weight"] = 50 }) }),
            "$.Vips[0].Track.Pools[0].Cluster", "'nope'", "web");

    [Fact]
    public void Parse_ScriptTimeoutLongerThanInterval_Reports() =>
        AssertSingleError(ParseWith(v => v["Track"] = new JsonObject { ["Script"] = new JsonObject { ["Path"] = "/bin/true", ["Interval"] = "00:00:01", ["Timeout"] = "00:00:02" } }),
            "$.Vips[0].Track.Script.Timeout", "longer than the interval");

    [Fact]
    public void Parse_GarpCountZero_Reports() =>
        AssertSingleError(ParseWith(v => v["Garp"] = new JsonObject { ["Count"] = 0 }), "$.Vips[0].Garp.Count", "1..100");

    [Fact]
    public void Parse_SameAddressTwice_ReportsTheDuplicate()
    {
        File.WriteAllText(_key, Convert.ToBase64String(new byte[32]));
        var result = ConfigLoader.Parse(FullWith(certificates, root =>
        {
            root["Cluster"] = new JsonObject { ["BindAddress"] = "198.18.0.11:7946", ["Seeds"] = new JsonArray("198.18.0.11:7946"), ["KeyFile"] = _key };
            root["Vips"] = new JsonArray(Vip(), Vip());
        }));

        AssertSingleError(result, "$.Vips[1].Address", "already defined at $.Vips[0]");
    }
}

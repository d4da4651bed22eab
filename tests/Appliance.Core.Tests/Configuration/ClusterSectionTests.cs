using System.Text.Json.Nodes;
using Appliance.Core.Configuration;
using static Appliance.Tests.Configuration.TestConfigs;

namespace Appliance.Tests.Configuration;

/// <summary>The Cluster section: a good one loads, each bad value is refused with its path and a fix.</summary>
public sealed class ClusterSectionTests(TempCertificates certificates) : IClassFixture<TempCertificates>, IDisposable
{
    private readonly string _key = Path.Combine(Path.GetTempPath(), $"cluster-{Guid.NewGuid():N}.key");

    public void Dispose() => File.Delete(_key);

    private JsonObject Cluster() => new()
    {
        ["BindAddress"] = "198.18.0.11:7946",
        ["Seeds"] = new JsonArray("198.18.0.11:7946", "198.18.0.12:7946"),
        ["KeyFile"] = _key,
    };

    private ConfigLoadResult ParseWith(Action<JsonObject> change)
    {
        File.WriteAllText(_key, Convert.ToBase64String(new byte[32]));
        return ConfigLoader.Parse(FullWith(certificates, root =>
        {
            var cluster = Cluster();
            root["Cluster"] = cluster;
            change(cluster);
        }));
    }

    [Fact]
    public void Parse_GoodSection_LoadsWithDefaults()
    {
        var result = ParseWith(_ => { });

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var cluster = result.Config!.Cluster!;
        Assert.Equal(2, cluster.Seeds.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(100), cluster.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), cluster.DownAfter);
        Assert.Equal(8, cluster.PhiThreshold);
        // Issue 15's LAN tuning: about 560 ms from the last heartbeat to unreachable.
        Assert.Equal(TimeSpan.FromMilliseconds(200), cluster.AcceptableHeartbeatPause);
        Assert.Equal(TimeSpan.FromMilliseconds(50), cluster.MinStdDeviation);
        Assert.Equal("/var/lib/appliance/sessions.snapshot", cluster.SessionSnapshotFile);
        Assert.Equal(TimeSpan.FromSeconds(10), cluster.SessionSnapshotInterval);
    }

    [Fact]
    public void Parse_NullSnapshotFile_DisablesIt()
    {
        var result = ParseWith(c => c["SessionSnapshotFile"] = null);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Null(result.Config!.Cluster!.SessionSnapshotFile);
    }

    [Fact]
    public void Parse_RelativeSnapshotFile_Reports() =>
        AssertSingleError(ParseWith(c => c["SessionSnapshotFile"] = "sessions.snapshot"), "$.Cluster.SessionSnapshotFile", "not an absolute path");

    [Fact]
    public void Parse_SnapshotFileIsADirectory_Reports() =>
        AssertSingleError(ParseWith(c => c["SessionSnapshotFile"] = Path.GetTempPath()), "$.Cluster.SessionSnapshotFile", "is a directory");

    [Fact]
    public void Parse_TinySnapshotInterval_Reports() =>
        AssertSingleError(ParseWith(c => c["SessionSnapshotInterval"] = "00:00:00.100"), "$.Cluster.SessionSnapshotInterval", "not a usable snapshot interval");

    [Fact]
    public void Parse_NoSection_IsSingleNode() =>
        Assert.Null(ConfigLoader.Parse(Full(certificates)).Config!.Cluster);

    [Fact]
    public void Parse_WildcardBindWithoutAdvertise_AsksForAdvertiseAddress() =>
        AssertSingleError(ParseWith(c => c["BindAddress"] = "0.0.0.0:7946"), "$.Cluster.AdvertiseAddress", "wildcard", "AdvertiseAddress");

    [Fact]
    public void Parse_NoSeeds_Reports() =>
        AssertSingleError(ParseWith(c => c["Seeds"] = new JsonArray()), "$.Cluster.Seeds", "no seeds");

    [Fact]
    public void Parse_BadSeed_ReportsItsIndex() =>
        AssertSingleError(ParseWith(c => c["Seeds"]!.AsArray().Add("lb3")), "$.Cluster.Seeds[2]", "'lb3' is not a seed address");

    [Fact]
    public void Parse_MissingKeyFile_SaysHowToCreateIt() =>
        AssertSingleError(ParseWith(c => c["KeyFile"] = "/nonexistent/cluster.key"), "$.Cluster.KeyFile", "does not exist", "/dev/urandom");

    [Fact]
    public void Parse_NoKeyFile_Reports() =>
        AssertSingleError(ParseWith(c => c.Remove("KeyFile")), "$.Cluster.KeyFile", "no cluster key file");

    [Fact]
    public void Parse_ZeroHeartbeat_Reports() =>
        AssertSingleError(ParseWith(c => c["HeartbeatInterval"] = "00:00:00"), "$.Cluster.HeartbeatInterval", "more than zero");

    [Fact]
    public void Parse_NegativeThreshold_Reports() =>
        AssertSingleError(ParseWith(c => c["PhiThreshold"] = -1), "$.Cluster.PhiThreshold", "not a usable threshold");

    [Fact]
    public void Parse_TinyMaxFrame_Reports() =>
        AssertSingleError(ParseWith(c => c["MaxFrameSize"] = 1000), "$.Cluster.MaxFrameSize", "outside 65536..67108864");

    [Fact]
    public void Parse_UnknownKey_IsATypo() =>
        Assert.Contains(ParseWith(c => c["Seed"] = "198.18.0.11:7946").Errors, e => e.Path.StartsWith("$.Cluster", StringComparison.Ordinal));
}

using Appliance.Cluster.Settings;
using Appliance.Core.Configuration;

namespace Appliance.Tests.Akka;

public sealed class ClusterHoconTests
{
    private static ClusterSettings Settings(NodeClusterOptions? options = null) => ClusterSettings.From(options ?? new NodeClusterOptions
    {
        BindAddress = "0.0.0.0:7946",
        AdvertiseAddress = "198.18.0.11:7946",
        Seeds = ["198.18.0.12:7946", "198.18.0.11:7946", "198.18.0.12:7946"],
        KeyFile = "/dev/null",
        AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(200),
        DownAfter = TimeSpan.FromSeconds(30),
    }, "lb1");

    [Fact]
    public void From_Seeds_SortedAndDistinct()
    {
        var settings = Settings();
        Assert.Equal([("198.18.0.11", 7946), ("198.18.0.12", 7946)], settings.Seeds);
        Assert.True(settings.IsSeed);
        Assert.Equal("198.18.0.11", settings.PublicHost);
        Assert.Equal("0.0.0.0", settings.BindHost);
    }

    [Fact]
    public void Build_MapsTheClusterSection()
    {
        var config = ClusterHocon.Build(Settings());
        Assert.Equal(TimeSpan.FromMilliseconds(100), config.GetTimeSpan("akka.cluster.failure-detector.heartbeat-interval"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal(TimeSpan.FromMilliseconds(50), config.GetTimeSpan("akka.cluster.failure-detector.min-std-deviation"));
        Assert.Equal(8.0, config.GetDouble("akka.cluster.failure-detector.threshold"));
        Assert.Equal(TimeSpan.FromMilliseconds(100), config.GetTimeSpan("akka.cluster.unreachable-nodes-reaper-interval"));
        Assert.Equal(TimeSpan.FromSeconds(30), config.GetTimeSpan("appliance.downing.down-after"));
        Assert.True(config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
        Assert.Equal("198.18.0.11", config.GetString("akka.remote.dot-netty.tcp.public-hostname"));
        Assert.Equal(7946, config.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal(["node:lb1"], config.GetStringList("akka.cluster.roles"));
        Assert.False(config.GetBoolean("akka.coordinated-shutdown.exit-clr"));
        Assert.Contains("PeerDowningProvider", config.GetString("akka.cluster.downing-provider-class"), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ShippedDefaults_AreTheLanTuning()
    {
        // The section's defaults, not the ones above: what a node without timing keys runs with.
        var config = ClusterHocon.Build(ClusterSettings.From(new NodeClusterOptions { BindAddress = "198.18.0.11:7946", Seeds = ["198.18.0.11:7946"], KeyFile = "/dev/null" }, "lb1"));
        Assert.Equal(TimeSpan.FromMilliseconds(100), config.GetTimeSpan("akka.cluster.failure-detector.heartbeat-interval"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal(TimeSpan.FromMilliseconds(50), config.GetTimeSpan("akka.cluster.failure-detector.min-std-deviation"));
        Assert.Equal(TimeSpan.FromSeconds(2), config.GetTimeSpan("appliance.downing.down-after"));
    }

    [Fact]
    public void Build_NodeNameWithQuote_StaysOneRole()
    {
        var settings = Settings() with { NodeName = "a\"b" };
        Assert.Equal(["node:a\"b"], ClusterHocon.Build(settings).GetStringList("akka.cluster.roles"));
    }
}

using Appliance.Core.Configuration;

namespace Appliance.Tests.Configuration;

public sealed class ConfigLoaderTests(TempCertificates certificates) : IClassFixture<TempCertificates>
{
    [Fact]
    public void Parse_FullValidFile_LoadsEveryValue()
    {
        var result = ConfigLoader.Parse(TestConfigs.Full(certificates));

        Assert.Empty(result.Errors);
        Assert.True(result.Succeeded);
        var config = result.Config!;
        Assert.Equal("lb1", config.Node.Name);

        var listener = Assert.Single(config.Listeners);
        Assert.Equal(("web", "0.0.0.0:8443", "Http1AndHttp2"), (listener.Name, listener.Address, listener.Protocols));
        var certificate = Assert.Single(listener.Tls!.Certificates);
        Assert.Equal(certificates.CertificatePath, certificate.Certificate);
        Assert.Equal(certificates.KeyPath, certificate.Key);
        Assert.Equal(["www.example.com"], certificate.HostNames);
        Assert.Equal("Tls12", listener.Tls.MinimumProtocol);

        Assert.Equal(["10.0.0.1", "10.1.0.0/16"], config.ForwardedHeaders.TrustedProxies);
        Assert.True(config.AccessLog.Enabled);
        Assert.Equal("/var/log/appliance/access.log", config.AccessLog.Path);
        Assert.Equal("127.0.0.1:9900", config.Admin.Address);
        Assert.Equal(certificates.TokenPath, config.Admin.TokenFile);

        var web = config.Balancing.For("web");
        Assert.Equal(new HashKeyOptions { Source = "Header", Name = "X-User" }, web.HashKey);
        Assert.Equal(new QueueOptions { MaxLength = 100, Timeout = TimeSpan.FromSeconds(5) }, web.Queue);
        Assert.Equal(TimeSpan.FromSeconds(30), web.SlowStart);
        Assert.Equal(1, web.Retries);
        Assert.Equal(new ActiveHealthOptions { ExpectedStatus = "200-399", Rise = 2, Fall = 3 }, web.HealthCheck);
        Assert.Equal(
            new PassiveHealthOptions
            {
                Enabled = true, ConsecutiveFailures = 5, FailureRate = 0.5, MinimumRequests = 20,
                Window = TimeSpan.FromSeconds(10), ReactivationPeriod = TimeSpan.FromSeconds(30), CountServerErrors = false,
            },
            web.PassiveHealthCheck);
        Assert.Equal(TimeSpan.FromMinutes(30), web.SessionIdleTimeout);
        Assert.Equal(new RateLimitOptions { RequestsPerSecond = 50, Burst = 100 }, config.Balancing.Routes["api"].RateLimit);

        var proxy = config.ReverseProxy;
        Assert.Equal("web", proxy.Routes["api"].ClusterId);
        var cluster = proxy.Clusters["web"];
        Assert.Equal("LeastConnections", cluster.LoadBalancingPolicy);
        Assert.True(cluster.AffinityEnabled);
        Assert.Equal("ApplianceCookie", cluster.AffinityPolicy);
        Assert.True(cluster.ActiveHealthEnabled);
        Assert.Equal("RiseFall", cluster.ActiveHealthPolicy);
        var destination = cluster.Destinations["b1"];
        Assert.Equal("http://10.0.0.11:8080/", destination.Address);
        var metadata = DestinationMetadata.Parse(destination.Metadata, "$", new List<ConfigError>());
        Assert.Equal((3, 100, BackendAdminState.Ready), (metadata.Weight, metadata.MaxRequests, metadata.InitialState));

        // The raw section keeps what Core does not model, for the proxy to bind to YARP's types.
        Assert.Equal("/health", proxy.Raw.GetProperty("Clusters").GetProperty("web").GetProperty("HealthCheck")
            .GetProperty("Active").GetProperty("Path").GetString());
    }

    [Fact]
    public void Parse_PlainYarpConfig_LoadsWithDefaults()
    {
        var result = ConfigLoader.Parse(TestConfigs.PlainYarp);

        Assert.Empty(result.Errors);
        var config = result.Config!;
        Assert.Empty(config.Listeners);
        Assert.Equal("127.0.0.1:9900", config.Admin.Address);
        Assert.Equal("RoundRobin", config.ReverseProxy.Clusters["cluster1"].LoadBalancingPolicy);
        Assert.Equal(2, config.ReverseProxy.Clusters["cluster1"].Destinations.Count);
        Assert.Same(ClusterBalancingOptions.Default, config.Balancing.For("cluster1"));
    }

    [Fact]
    public void Parse_KeysInAnyCaseAndNumbersAsStrings_Loads()
    {
        const string Json = """
            {
              "node": { "NAME": "lb2" },
              "balancing": { "clusters": { "C1": { "retries": "3", "queue": { "maxLength": "7" },
                                                   "passiveHealthCheck": { "enabled": "true", "failureRate": "0.25" } } } },
              "reverseProxy": {
                "routes": { "r": { "clusterId": "c1" } },
                "clusters": { "c1": { "destinations": { "d": { "address": "http://127.0.0.1:5000/", "metadata": { "weight": 2 } } } } }
              }
            }
            """;

        var result = ConfigLoader.Parse(Json);

        Assert.Empty(result.Errors);
        var config = result.Config!;
        Assert.Equal("lb2", config.Node.Name);
        var c1 = config.Balancing.For("c1");
        Assert.Equal(3, c1.Retries);
        Assert.Equal(7, c1.Queue.MaxLength);
        Assert.Equal(TimeSpan.FromSeconds(5), c1.Queue.Timeout);
        Assert.True(c1.PassiveHealthCheck.Enabled);
        Assert.Equal(0.25, c1.PassiveHealthCheck.FailureRate);
        Assert.Equal("2", config.ReverseProxy.Clusters["C1"].Destinations["d"].Metadata["Weight"]);
    }

    [Fact]
    public void Parse_EmptyObject_LoadsDefaults()
    {
        var result = ConfigLoader.Parse("{}");

        Assert.True(result.Succeeded);
        Assert.Equal(Environment.MachineName, result.Config!.Node.Name);
        Assert.Empty(result.Config.ReverseProxy.Clusters);
    }

    [Fact]
    public void Parse_TlsNull_MeansCleartext()
    {
        var result = ConfigLoader.Parse("""{ "Listeners": [ { "Name": "web", "Address": "*:8080", "Tls": null } ] }""");

        Assert.Empty(result.Errors);
        Assert.Null(result.Config!.Listeners[0].Tls);
    }

    [Fact]
    public void LoadFile_ExistingFile_Loads()
    {
        var path = Path.Combine(certificates.Directory, "appliance.json");
        File.WriteAllText(path, TestConfigs.Full(certificates));

        var result = ConfigLoader.LoadFile(path);

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void LoadFile_MissingFile_ReportsPath()
    {
        var path = Path.Combine(certificates.Directory, "nope.json");

        var result = ConfigLoader.LoadFile(path);

        TestConfigs.AssertSingleError(result, "$", path, "does not exist");
    }
}

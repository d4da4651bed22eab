using System.Text.Json.Nodes;
using Appliance.Core.Configuration;
using static Appliance.Tests.Configuration.TestConfigs;

namespace Appliance.Tests.Configuration;

/// <summary>Well-formed files the validator must refuse for their meaning.</summary>
public sealed class ConfigValidatorTests(TempCertificates certificates) : IClassFixture<TempCertificates>
{
    private ConfigLoadResult ParseWith(Action<JsonObject> change) => ConfigLoader.Parse(FullWith(certificates, change));

    private static JsonObject SecondListener(string name, string address) =>
        new() { ["Name"] = name, ["Address"] = address };

    [Fact]
    public void Parse_AddressWithoutPort_ReportsAddress() =>
        AssertSingleError(ParseWith(root => Listener(root)["Address"] = "0.0.0.0"),
            "$.Listeners[0].Address", "has no port");

    [Fact]
    public void Parse_HostNameAddress_ReportsAddress() =>
        AssertSingleError(ParseWith(root => Listener(root)["Address"] = "www.example.com:443"),
            "$.Listeners[0].Address", "not an IP address, * or localhost");

    [Fact]
    public void Parse_TwoListenersOnOnePort_ReportsSecond() =>
        AssertSingleError(ParseWith(root => root["Listeners"]!.AsArray().Add(SecondListener("other", "*:8443"))),
            "$.Listeners[1].Address", "overlaps $.Listeners[0].Address");

    [Fact]
    public void Parse_SameListenerName_ReportsSecond() =>
        AssertSingleError(ParseWith(root => root["Listeners"]!.AsArray().Add(SecondListener("WEB", "0.0.0.0:80"))),
            "$.Listeners[1].Name", "already used by $.Listeners[0]");

    [Fact]
    public void Parse_UnknownProtocols_ListsChoices() =>
        AssertSingleError(ParseWith(root => Listener(root)["Protocols"] = "Http3"),
            "$.Listeners[0].Protocols", "'Http1', 'Http2', 'Http1AndHttp2'");

    [Fact]
    public void Parse_MissingCertificateFile_ReportsFilePath()
    {
        var missing = Path.Combine(certificates.Directory, "gone.crt");

        AssertSingleError(ParseWith(root => At(Listener(root), "Tls")["Certificates"]![0]!["Certificate"] = missing),
            "$.Listeners[0].Tls.Certificates[0].Certificate", $"'{missing}' does not exist");
    }

    [Fact]
    public void Parse_TlsWithoutCertificates_Reports() =>
        AssertSingleError(ParseWith(root => At(Listener(root), "Tls")["Certificates"] = new JsonArray()),
            "$.Listeners[0].Tls.Certificates", "no certificate");

    [Fact]
    public void Parse_Tls11_IsRefusedWithReason() =>
        AssertSingleError(ParseWith(root => At(Listener(root), "Tls")["MinimumProtocol"] = "Tls11"),
            "$.Listeners[0].Tls.MinimumProtocol", "TLS 1.1 and older are deprecated", "Tls12");

    [Fact]
    public void Parse_TrustedProxyWithHostBits_SuggestsNetwork() =>
        AssertSingleError(ParseWith(root => root["ForwardedHeaders"]!["TrustedProxies"]![1] = "10.1.2.0/16"),
            "$.ForwardedHeaders.TrustedProxies[1]", "\"10.1.0.0/16\"");

    [Fact]
    public void Parse_AdminOnListenerPort_Reports() =>
        AssertSingleError(ParseWith(root => At(root, "Admin")["Address"] = "127.0.0.1:8443"),
            "$.Admin.Address", "overlaps the listener at $.Listeners[0].Address");

    [Fact]
    public void Parse_AdminTokenFileMissing_Reports() =>
        AssertSingleError(ParseWith(root => At(root, "Admin")["TokenFile"] = Path.Combine(certificates.Directory, "absent.token")),
            "$.Admin.TokenFile", "does not exist");

    [Fact]
    public void Parse_AdminTokenFileEmpty_ReportsWithoutShowingContent()
    {
        var empty = Path.Combine(certificates.Directory, "empty.token");
        File.WriteAllText(empty, "  \n");

        AssertSingleError(ParseWith(root => At(root, "Admin")["TokenFile"] = empty), "$.Admin.TokenFile", "is empty");
    }

    [Theory]
    [InlineData("HashCookie")]
    [InlineData("ArrCookie")]
    [InlineData("Cookie")]
    [InlineData("CustomHeader")]
    [InlineData("hashcookie")]
    public void Parse_EveryYarpAffinityPolicy_Loads(string policy) =>
        Assert.Empty(ParseWith(root => At(WebCluster(root), "SessionAffinity")["Policy"] = policy).Errors);

    [Fact]
    public void Parse_AffinityPolicyUnset_Loads() =>
        Assert.Empty(ParseWith(root => At(WebCluster(root), "SessionAffinity").Remove("Policy")).Errors);

    [Fact]
    public void Parse_AffinityPolicyMisspelt_IsRefusedWithSuggestion() =>
        AssertSingleError(ParseWith(root => At(WebCluster(root), "SessionAffinity")["Policy"] = "HashCokie"),
            "$.ReverseProxy.Clusters.web.SessionAffinity.Policy", "HashCookie", "ApplianceCookie");

    [Fact]
    public void Parse_AffinityPolicyUnsetButDisabled_Loads() =>
        Assert.Empty(ParseWith(root =>
        {
            At(WebCluster(root), "SessionAffinity").Remove("Policy");
            At(WebCluster(root), "SessionAffinity")["Enabled"] = false;
        }).Errors);

    [Fact]
    public void Parse_ConsistentHashWithAffinityInAnyCase_LoadsWithCanonicalNames()
    {
        var result = ParseWith(root =>
        {
            WebCluster(root)["LoadBalancingPolicy"] = "consistenthash";
            At(WebCluster(root), "SessionAffinity")["Policy"] = "APPLIANCECOOKIE";
        });

        Assert.Empty(result.Errors);
        var cluster = result.Config!.ReverseProxy.Clusters["web"];
        Assert.Equal((PolicyNames.ConsistentHash, PolicyNames.ApplianceCookie), (cluster.LoadBalancingPolicy, cluster.AffinityPolicy));
    }

    [Fact]
    public void Parse_UnknownLoadBalancingPolicy_ListsPolicies() =>
        AssertSingleError(ParseWith(root => WebCluster(root)["LoadBalancingPolicy"] = "LeastConnection"),
            "$.ReverseProxy.Clusters.web.LoadBalancingPolicy", "Did you mean 'LeastConnections'?",
            "'RoundRobin', 'WeightedRoundRobin', 'LeastConnections', 'LeastRequests', 'PowerOfTwoChoices', 'Random', 'ConsistentHash', 'FirstAlphabetical'");

    [Fact]
    public void Parse_UnknownActiveHealthPolicy_Reports() =>
        AssertSingleError(ParseWith(root => At(WebCluster(root), "HealthCheck", "Active")["Policy"] = "Sometimes"),
            "$.ReverseProxy.Clusters.web.HealthCheck.Active.Policy", "RiseFall");

    [Fact]
    public void Parse_RouteToMissingCluster_NamesExistingClusters() =>
        AssertSingleError(ParseWith(root => At(root, "ReverseProxy", "Routes", "api")["ClusterId"] = "nope"),
            "$.ReverseProxy.Routes.api.ClusterId", "'nope'", "'web'");

    [Fact]
    public void Parse_RelativeDestinationAddress_Reports() =>
        AssertSingleError(ParseWith(root => Destination(root)["Address"] = "/app"),
            "$.ReverseProxy.Clusters.web.Destinations.b1.Address", "absolute http or https");

    [Fact]
    public void Parse_ClusterWithoutDestinations_Reports() =>
        AssertSingleError(ParseWith(root => WebCluster(root)["Destinations"] = new JsonObject()),
            "$.ReverseProxy.Clusters.web.Destinations", "no destinations");

    [Fact]
    public void Parse_Weight300_Reports() =>
        AssertSingleError(ParseWith(root => At(Destination(root), "Metadata")["Weight"] = "300"),
            "$.ReverseProxy.Clusters.web.Destinations.b1.Metadata.Weight", "'300'", "0 (no new traffic) to 256");

    [Fact]
    public void Parse_StatePaused_Reports() =>
        AssertSingleError(ParseWith(root => At(Destination(root), "Metadata")["State"] = "paused"),
            "$.ReverseProxy.Clusters.web.Destinations.b1.Metadata.State", "ready, drain or maint");

    [Fact]
    public void Parse_ExpectedStatus700_Reports() =>
        AssertSingleError(ParseWith(root => At(WebBalancing(root), "HealthCheck")["ExpectedStatus"] = "700"),
            "$.Balancing.Clusters.web.HealthCheck.ExpectedStatus", "'700'", "100 to 599");

    [Fact]
    public void Parse_BalancingForUnknownCluster_NamesExistingClusters() =>
        AssertSingleError(ParseWith(root => Rename(At(root, "Balancing", "Clusters"), "web", "mobile")),
            "$.Balancing.Clusters.mobile", "'mobile' is not a cluster", "'web'");

    [Fact]
    public void Parse_BalancingForUnknownRoute_NamesExistingRoutes() =>
        AssertSingleError(ParseWith(root => Rename(At(root, "Balancing", "Routes"), "api", "apj")),
            "$.Balancing.Routes.apj", "'apj' is not a route", "'api'");

    [Fact]
    public void Parse_HeaderHashKeyWithoutName_Reports() =>
        AssertSingleError(ParseWith(root => At(WebBalancing(root), "HashKey").Remove("Name")),
            "$.Balancing.Clusters.web.HashKey.Name", "set \"Name\"");

    [Fact]
    public void Parse_PassiveEnabledWithBothRulesOff_Reports() =>
        AssertSingleError(ParseWith(root =>
        {
            At(WebBalancing(root), "PassiveHealthCheck")["ConsecutiveFailures"] = 0;
            At(WebBalancing(root), "PassiveHealthCheck")["FailureRate"] = 0;
        }), "$.Balancing.Clusters.web.PassiveHealthCheck", "both rules are off");

    [Fact]
    public void Parse_RetriesAboveTen_Reports() =>
        AssertSingleError(ParseWith(root => WebBalancing(root)["Retries"] = 11),
            "$.Balancing.Clusters.web.Retries", "from 0 to 10");

    [Fact]
    public void Parse_UnknownForwarder_ReportsTheChoices() =>
        AssertSingleError(ParseWith(root => WebBalancing(root)["Forwarder"] = "HttpClient"),
            "$.Balancing.Clusters.web.Forwarder", "'HttpClient' is not a forwarder: use one of");

    [Fact]
    public void Parse_ForwarderYarpAnyCase_IsAccepted()
    {
        var result = ParseWith(root => WebBalancing(root)["Forwarder"] = "yarp");
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Parse_ZeroQueueTimeout_Reports() =>
        AssertSingleError(ParseWith(root => At(WebBalancing(root), "Queue")["Timeout"] = "00:00:00"),
            "$.Balancing.Clusters.web.Queue.Timeout", "more than zero");

    [Fact]
    public void Parse_ZeroRateLimit_Reports() =>
        AssertSingleError(ParseWith(root => At(root, "Balancing", "Routes", "api", "RateLimit")["RequestsPerSecond"] = 0),
            "$.Balancing.Routes.api.RateLimit.RequestsPerSecond", "more than 0");

    [Fact]
    public void Validate_DefaultConfig_HasNoErrors() =>
        Assert.Empty(ConfigValidator.Validate(new ApplianceConfig()));

    [Fact]
    public void Validate_RiseZeroAndFallZero_ReportsBoth()
    {
        var config = new ApplianceConfig
        {
            Balancing = new BalancingOptions
            {
                Clusters = new Dictionary<string, ClusterBalancingOptions>
                {
                    ["web"] = new() { HealthCheck = new() { Rise = 0, Fall = 0 } },
                },
            },
        };

        var paths = ConfigValidator.Validate(config).Select(e => e.Path).ToList();

        Assert.Equal(["$.Balancing.Clusters.web", "$.Balancing.Clusters.web.HealthCheck.Rise", "$.Balancing.Clusters.web.HealthCheck.Fall"], paths);
    }
}

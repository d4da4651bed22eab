using System.Text.Json.Nodes;
using Appliance.Core.Configuration;
using static Appliance.Tests.Configuration.TestConfigs;

namespace Appliance.Tests.Configuration;

/// <summary>Files the loader must refuse for their shape: syntax, unknown keys, wrong types.</summary>
public sealed class ConfigLoaderErrorTests(TempCertificates certificates) : IClassFixture<TempCertificates>
{
    private ConfigLoadResult ParseWith(Action<JsonObject> change) => ConfigLoader.Parse(FullWith(certificates, change));

    [Fact]
    public void Parse_MissingComma_ReportsLineAndColumn()
    {
        const string Json = "{\n  \"Node\": { \"Name\": \"lb1\" }\n  \"Admin\": { }\n}";

        var error = AssertSingleError(ConfigLoader.Parse(Json), "$", "line 3, column 3", "not valid JSON");

        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RootIsAList_ReportsRoot() =>
        AssertSingleError(ConfigLoader.Parse("[]"), "$", "one JSON object", "a list");

    [Fact]
    public void Parse_TypoInBalancingKey_ReportsKeyWithSuggestion() =>
        AssertSingleError(ParseWith(root => Rename(At(WebBalancing(root), "Queue"), "MaxLength", "MaxLenght")),
            "$.Balancing.Clusters.web.Queue.MaxLenght", "'MaxLenght' is not a known setting", "Did you mean 'MaxLength'?", "Timeout");

    [Fact]
    public void Parse_TypoInWeightMetadata_ReportsMisspelling() =>
        AssertSingleError(ParseWith(root => Rename(At(Destination(root), "Metadata"), "Weight", "Wieght")),
            "$.ReverseProxy.Clusters.web.Destinations.b1.Metadata.Wieght", "misspelling of 'Weight'");

    [Fact]
    public void Parse_UnknownTopLevelSection_ReportsSectionAndList() =>
        AssertSingleError(ParseWith(root => Rename(root, "AccessLog", "AccesLog")),
            "$.AccesLog", "not a known section", "Did you mean 'AccessLog'?", "Listeners");

    [Fact]
    public void Parse_UnknownKeyInsideReverseProxy_IsAccepted()
    {
        var result = ParseWith(root => WebCluster(root)["HttpClient"] = new JsonObject { ["MaxConnectionsPerServer"] = 10 });

        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Parse_TextForWholeNumber_ReportsType() =>
        AssertSingleError(ParseWith(root => At(WebBalancing(root), "Queue")["MaxLength"] = "lots"),
            "$.Balancing.Clusters.web.Queue.MaxLength", "expected a whole number", "\"lots\"");

    [Fact]
    public void Parse_NumberForDuration_ReportsFormat() =>
        AssertSingleError(ParseWith(root => At(WebBalancing(root), "Queue")["Timeout"] = 5),
            "$.Balancing.Clusters.web.Queue.Timeout", "\"hh:mm:ss\"", "00:00:05");

    [Fact]
    public void Parse_DurationWithoutColon_ReportsFormat() =>
        AssertSingleError(ParseWith(root => WebBalancing(root)["SlowStart"] = "30"),
            "$.Balancing.Clusters.web.SlowStart", "\"hh:mm:ss\"");

    [Fact]
    public void Parse_ObjectForAddress_ReportsOnlyTheTypeError() =>
        AssertSingleError(ParseWith(root => Listener(root)["Address"] = new JsonObject()),
            "$.Listeners[0].Address", "expected text", "an object");

    [Fact]
    public void Parse_ListenersNotAList_ReportsType() =>
        AssertSingleError(ParseWith(root => root["Listeners"] = new JsonObject()),
            "$.Listeners", "expected a list");

    [Fact]
    public void Parse_NullForRequiredValue_ReportsNull() =>
        AssertSingleError(ParseWith(root => At(WebBalancing(root), "HashKey")["Source"] = null),
            "$.Balancing.Clusters.web.HashKey.Source", "null is not allowed");

    [Fact]
    public void Parse_SameKeyTwiceInDifferentCase_ReportsDuplicate()
    {
        var json = Full(certificates).Replace("\"Retries\": 1,", "\"Retries\": 1, \"retries\": 2,", StringComparison.Ordinal);

        AssertSingleError(ConfigLoader.Parse(json), "$.Balancing.Clusters.web.retries", "more than once");
    }

    [Fact]
    public void Parse_ProxyClustersAsList_ReportsType() =>
        AssertSingleError(
            ConfigLoader.Parse("""{ "ReverseProxy": { "Clusters": [ { "Destinations": {} } ] } }"""),
            "$.ReverseProxy.Clusters", "expected an object");

    [Fact]
    public void Parse_AffinityEnabledNotBoolean_ReportsType() =>
        AssertSingleError(ParseWith(root => At(WebCluster(root), "SessionAffinity")["Enabled"] = "yes"),
            "$.ReverseProxy.Clusters.web.SessionAffinity.Enabled", "true or false");

    [Fact]
    public void Parse_AllowedHostsWithAPort_IsRefused() =>
        AssertSingleError(ParseWith(root => root["AllowedHosts"] = "example.com:443"),
            "$.AllowedHosts", "without port");

    [Fact]
    public void Parse_ProblemsInSeveralSections_ReportsEveryOne()
    {
        var result = ParseWith(root =>
        {
            Listener(root)["Address"] = "0.0.0.0:99999";
            At(Listener(root), "Tls")["MinimumProtocol"] = "Tls11";
            At(root, "AccessLog")["Enabled"] = "sometimes";
            Rename(At(root, "Admin"), "TokenFile", "TokenFiel");
            root["Vips"] = new JsonArray(new JsonObject { ["Address"] = "198.18.0.10", ["Interface"] = "eth0", ["Priorities"] = new JsonObject { ["lb1"] = 100 } });
            At(WebBalancing(root), "HealthCheck")["ExpectedStatus"] = "700";
            At(WebCluster(root), "SessionAffinity")["Policy"] = "HashCokie";
            At(Destination(root), "Metadata")["Weight"] = "300";
            At(root, "ReverseProxy", "Routes", "api")["ClusterId"] = "missing";
        });

        Assert.Null(result.Config);
        Assert.Equal(
            [
                "$.AccessLog.Enabled",
                "$.Admin.TokenFiel",
                "$.Balancing.Clusters.web.HealthCheck.ExpectedStatus",
                "$.Listeners[0].Address",
                "$.Listeners[0].Tls.MinimumProtocol",
                "$.ReverseProxy.Clusters.web.Destinations.b1.Metadata.Weight",
                "$.ReverseProxy.Clusters.web.SessionAffinity.Policy",
                "$.ReverseProxy.Routes.api.ClusterId",
                "$.Vips[0].Address",
            ],
            result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }
}

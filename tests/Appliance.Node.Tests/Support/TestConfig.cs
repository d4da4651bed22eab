using System.Text.Json.Nodes;
using Appliance.Node.Demo;

namespace Appliance.Tests.Support;

/// <summary>
/// Builds configuration files in the operator's JSON schema: one listener, one route to one
/// cluster "web" over the given backends, and the admin listener on a free loopback port (tests
/// run in parallel, so never the default 9900). Tests then adjust the JSON tree where they need more.
/// </summary>
internal static class TestConfig
{
    public static JsonObject Create(int port, IEnumerable<DemoBackend> backends, string policy = "RoundRobin")
    {
        var destinations = new JsonObject();
        foreach (var b in backends)
        {
            destinations[b.Name] = new JsonObject { ["Address"] = b.Url.ToString() };
        }

        return new JsonObject
        {
            ["Node"] = new JsonObject { ["Name"] = "test" },
            ["Listeners"] = new JsonArray(new JsonObject { ["Name"] = "web", ["Address"] = $"127.0.0.1:{port}" }),
            ["Admin"] = new JsonObject { ["Address"] = $"127.0.0.1:{FreePort.Next()}" },
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject
                {
                    ["all"] = new JsonObject { ["ClusterId"] = "web", ["Match"] = new JsonObject { ["Path"] = "/{**rest}" } },
                },
                ["Clusters"] = new JsonObject
                {
                    ["web"] = new JsonObject { ["LoadBalancingPolicy"] = policy, ["Destinations"] = destinations },
                },
            },
        };
    }

    public static JsonObject Cluster(this JsonObject config, string id = "web") =>
        config["ReverseProxy"]!["Clusters"]![id]!.AsObject();

    public static JsonObject Destination(this JsonObject config, string name, string cluster = "web") =>
        config.Cluster(cluster)["Destinations"]![name]!.AsObject();

    /// <summary>Sets a destination metadata key (Weight, MaxRequests, State).</summary>
    public static JsonObject WithMetadata(this JsonObject config, string destination, string key, string value)
    {
        var d = config.Destination(destination);
        var metadata = d["Metadata"] as JsonObject ?? new JsonObject();
        metadata[key] = value;
        d["Metadata"] = metadata;
        return config;
    }

    /// <summary>The Balancing.Clusters.{id} object, created on first use.</summary>
    public static JsonObject Balancing(this JsonObject config, string cluster = "web")
    {
        var balancing = config["Balancing"] as JsonObject ?? new JsonObject();
        config["Balancing"] = balancing;
        var clusters = balancing["Clusters"] as JsonObject ?? new JsonObject();
        balancing["Clusters"] = clusters;
        var entry = clusters[cluster] as JsonObject ?? new JsonObject();
        clusters[cluster] = entry;
        return entry;
    }

    public static JsonObject WithStickySessions(this JsonObject config, string cookie = "sticky")
    {
        config.Cluster()["SessionAffinity"] = new JsonObject
        {
            ["Enabled"] = true,
            ["Policy"] = "ApplianceCookie",
            ["AffinityKeyName"] = cookie,
        };
        return config;
    }

    public static JsonObject WithActiveHealth(this JsonObject config, string interval = "00:00:00.200", int rise = 2, int fall = 2)
    {
        config.Cluster()["HealthCheck"] = new JsonObject
        {
            ["Active"] = new JsonObject { ["Enabled"] = true, ["Interval"] = interval, ["Timeout"] = "00:00:01", ["Path"] = "/health" },
        };
        config.Balancing()["HealthCheck"] = new JsonObject { ["Rise"] = rise, ["Fall"] = fall };
        return config;
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Core.Configuration;

namespace Appliance.Node.Demo;

/// <summary>The demo's configuration, built in the same JSON schema an operator writes.</summary>
internal static class DemoConfig
{
    public static string NodeName(int index) => $"lb{index + 1}";

    /// <summary>
    /// Demo node <paramref name="index"/>: the demo configuration, validated as a file would be,
    /// plus a <c>Cluster</c> section on loopback. The cluster section is added after validation
    /// because its key stays in memory (the demo needs no files), which a file cannot say.
    /// </summary>
    public static ApplianceConfig Node(int index, int port, int adminPort, IReadOnlyList<int> clusterPorts, IReadOnlyList<DemoBackend> backends)
    {
        var loaded = ConfigLoader.Parse(Json(port, adminPort, backends, NodeName(index)));
        if (loaded.Config is not { } config)
        {
            throw new InvalidOperationException("demo configuration invalid: " + string.Join("; ", loaded.Errors));
        }

        string Address(int p) => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture);
        return config with
        {
            Cluster = new NodeClusterOptions
            {
                BindAddress = Address(clusterPorts[index]),
                Seeds = [.. clusterPorts.Select(Address)],
                SessionSnapshotFile = null, // the demo needs no files (and its three nodes share one process)
                // Faster than the 3 s default so the demo is up sooner; nothing else listens here.
                SeedJoinTimeout = TimeSpan.FromSeconds(1),
            },
        };
    }

    public static string Json(int port, int adminPort, IReadOnlyList<DemoBackend> backends, string name = "demo")
    {
        JsonObject Destinations()
        {
            var destinations = new JsonObject();
            foreach (var b in backends)
            {
                destinations[b.Name] = new JsonObject { ["Address"] = b.Url.ToString() };
            }

            return destinations;
        }

        JsonObject Cluster(string policy, bool sticky = false)
        {
            var cluster = new JsonObject
            {
                ["LoadBalancingPolicy"] = policy,
                ["HealthCheck"] = new JsonObject
                {
                    ["Active"] = new JsonObject { ["Enabled"] = true, ["Interval"] = "00:00:02", ["Timeout"] = "00:00:01", ["Path"] = "/health" },
                },
                ["Destinations"] = Destinations(),
            };
            if (sticky)
            {
                cluster["SessionAffinity"] = new JsonObject { ["Enabled"] = true, ["Policy"] = "ApplianceCookie", ["AffinityKeyName"] = "appliance-session" };
            }

            return cluster;
        }

        JsonObject Route(string cluster, string path, string? stripPrefix = null)
        {
            var route = new JsonObject { ["ClusterId"] = cluster, ["Match"] = new JsonObject { ["Path"] = path } };
            if (stripPrefix is not null)
            {
                route["Transforms"] = new JsonArray(new JsonObject { ["PathRemovePrefix"] = stripPrefix });
            }

            return route;
        }

        var root = new JsonObject
        {
            ["Node"] = new JsonObject { ["Name"] = name },
            ["Listeners"] = new JsonArray(new JsonObject { ["Name"] = "web", ["Address"] = $"127.0.0.1:{port}" }),
            ["Admin"] = new JsonObject { ["Address"] = $"127.0.0.1:{adminPort}" },
            ["Balancing"] = new JsonObject
            {
                ["Clusters"] = new JsonObject { ["hashed"] = new JsonObject { ["HashKey"] = new JsonObject { ["Source"] = "PathAndQuery" } } },
                ["Routes"] = new JsonObject { ["limited"] = new JsonObject { ["RateLimit"] = new JsonObject { ["RequestsPerSecond"] = 5, ["Burst"] = 10 } } },
            },
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject
                {
                    ["sticky"] = Route("sticky", "/sticky/{**rest}", "/sticky"),
                    ["hash"] = Route("hashed", "/hash/{**rest}"),
                    ["limited"] = Route("web", "/limited/{**rest}", "/limited"),
                    ["default"] = Route("web", "/{**rest}"),
                },
                ["Clusters"] = new JsonObject
                {
                    ["web"] = Cluster("RoundRobin"),
                    ["sticky"] = Cluster("LeastConnections", sticky: true),
                    ["hashed"] = Cluster("ConsistentHash"),
                },
            },
        };
        return root.ToJsonString();
    }
}

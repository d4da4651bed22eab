using System.Text.Json.Nodes;

namespace Appliance.Node.Demo;

/// <summary>The demo's configuration, built in the same JSON schema an operator writes.</summary>
internal static class DemoConfig
{
    public static string Json(int port, int adminPort, IReadOnlyList<DemoBackend> backends)
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
            ["Node"] = new JsonObject { ["Name"] = "demo" },
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

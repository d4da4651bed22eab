using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Proxy.Forwarding;
using Appliance.Proxy.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Tests.Support;

/// <summary>Configuration and inspection helpers for the forwarder tests (direct and YARP's).</summary>
internal static class ForwarderTestKit
{
    /// <summary>Which forwarder took each request, on this node.</summary>
    public static ForwarderStats Stats(this TestNode node) => node.Services.GetRequiredService<ForwarderStats>();

    public static BackendCounters Counters(this TestNode node, string destination, string cluster = "web") =>
        node.Registry.Find(cluster)!.Find(destination)!.Counters;

    /// <summary>A node configuration whose route <c>/{**rest}</c> goes to cluster "web" with the one destination "b1" at <paramref name="address"/>.</summary>
    public static JsonObject OneDestination(Uri address, string name = "b1")
    {
        var config = TestConfig.Create(FreePort.Next(), []);
        config.Cluster()["Destinations"]![name] = new JsonObject { ["Address"] = address.ToString() };
        return config;
    }

    /// <summary>
    /// Adds cluster <paramref name="id"/> with the one destination "d" at <paramref name="address"/>,
    /// routed from <c>/{id}/{**rest}</c> (the path goes to the backend as it came, prefix included).
    /// </summary>
    public static JsonObject WithCluster(this JsonObject config, string id, Uri address, string? forwarder = null)
    {
        config["ReverseProxy"]!["Routes"]![id] = new JsonObject
        {
            ["ClusterId"] = id,
            ["Match"] = new JsonObject { ["Path"] = $"/{id}/{{**rest}}" },
        };
        config["ReverseProxy"]!["Clusters"]![id] = new JsonObject
        {
            ["LoadBalancingPolicy"] = "RoundRobin",
            ["Destinations"] = new JsonObject { ["d"] = new JsonObject { ["Address"] = address.ToString() } },
        };
        if (forwarder is not null)
        {
            config.Balancing(id)["Forwarder"] = forwarder;
        }

        return config;
    }

    /// <summary>The value of one series (name and labels exactly as exposed) on the node's admin /metrics, or null when absent.</summary>
    public static async Task<double?> MetricAsync(this TestNode node, string series)
    {
        using var admin = new HttpClient { BaseAddress = node.AdminUrl, Timeout = TimeSpan.FromSeconds(30) };
        var text = await admin.GetStringAsync(new Uri("metrics", UriKind.Relative));
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}

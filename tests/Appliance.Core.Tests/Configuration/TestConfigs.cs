using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Core.Configuration;

namespace Appliance.Tests.Configuration;

/// <summary>Configuration texts for the loader tests, and small helpers to break them in one place.</summary>
internal static class TestConfigs
{
    /// <summary>The full example from the configuration reference, with comments, pointing at <paramref name="certificates"/>.</summary>
    public static string Full(TempCertificates certificates) => $$"""
        {
          // Comments and trailing commas are accepted, as by .NET's JSON configuration provider.
          "Node": { "Name": "lb1" },
          "Listeners": [ { "Name": "web", "Address": "0.0.0.0:8443", "Protocols": "Http1AndHttp2",
                           "Tls": { "Certificates": [ { "Certificate": {{JsonSerializer.Serialize(certificates.CertificatePath)}},
                                                        "Key": {{JsonSerializer.Serialize(certificates.KeyPath)}},
                                                        "HostNames": ["www.example.com"] } ],
                                    "MinimumProtocol": "Tls12" } } ],
          "ForwardedHeaders": { "TrustedProxies": [ "10.0.0.1", "10.1.0.0/16" ] },
          "AccessLog": { "Enabled": true, "Path": "/var/log/appliance/access.log" },
          "Admin": { "Address": "127.0.0.1:9900", "TokenFile": {{JsonSerializer.Serialize(certificates.TokenPath)}} },
          "Balancing": {
            "Clusters": { "web": { "HashKey": { "Source": "Header", "Name": "X-User" }, "Queue": { "MaxLength": 100, "Timeout": "00:00:05" },
                                   "SlowStart": "00:00:30", "Retries": 1, "HealthCheck": { "ExpectedStatus": "200-399", "Rise": 2, "Fall": 3 },
                                   "PassiveHealthCheck": { "Enabled": true, "ConsecutiveFailures": 5, "FailureRate": 0.5, "MinimumRequests": 20,
                                                           "Window": "00:00:10", "ReactivationPeriod": "00:00:30", "CountServerErrors": false },
                                   "SessionIdleTimeout": "00:30:00" } },
            "Routes": { "api": { "RateLimit": { "RequestsPerSecond": 50, "Burst": 100 } } },
          },
          "ReverseProxy": {
            "Routes": { "api": { "ClusterId": "web", "Match": { "Path": "/{**catch-all}" } } },
            "Clusters": { "web": { "LoadBalancingPolicy": "LeastConnections",
                "SessionAffinity": { "Enabled": true, "Policy": "ApplianceCookie", "AffinityKeyName": ".Appliance.Affinity" },
                "HealthCheck": { "Active": { "Enabled": true, "Interval": "00:00:02", "Timeout": "00:00:01", "Path": "/health", "Policy": "RiseFall" },
                                 "Passive": { "Enabled": false } },
                "Destinations": { "b1": { "Address": "http://10.0.0.11:8080/", "Metadata": { "Weight": "3", "MaxRequests": "100", "State": "ready" } } } } }
          }
        }
        """;

    /// <summary>A configuration written for plain YARP: only ASP.NET's keys and ReverseProxy.</summary>
    public const string PlainYarp = """
        {
          "Logging": { "LogLevel": { "Default": "Information", "Microsoft.AspNetCore": "Warning" } },
          "AllowedHosts": "*",
          "ReverseProxy": {
            "Routes": {
              "route1": { "ClusterId": "cluster1", "Match": { "Path": "{**catch-all}" } }
            },
            "Clusters": {
              "cluster1": {
                "LoadBalancingPolicy": "RoundRobin",
                "Destinations": {
                  "destination1": { "Address": "https://example.com/" },
                  "destination2": { "Address": "https://example.org/" }
                }
              }
            }
          }
        }
        """;

    /// <summary>The full configuration with one change applied to its JSON tree.</summary>
    public static string FullWith(TempCertificates certificates, Action<JsonObject> change)
    {
        var root = JsonNode.Parse(Full(certificates), documentOptions: new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        change(root);
        return root.ToJsonString();
    }

    /// <summary>Walks object keys, e.g. <c>At(root, "Balancing", "Clusters", "web")</c>.</summary>
    public static JsonObject At(JsonObject root, params string[] keys)
    {
        var node = root;
        foreach (var key in keys)
        {
            node = node[key]!.AsObject();
        }

        return node;
    }

    public static JsonObject Destination(JsonObject root) =>
        At(root, "ReverseProxy", "Clusters", "web", "Destinations", "b1");

    public static JsonObject WebCluster(JsonObject root) => At(root, "ReverseProxy", "Clusters", "web");

    public static JsonObject WebBalancing(JsonObject root) => At(root, "Balancing", "Clusters", "web");

    public static JsonObject Listener(JsonObject root) => root["Listeners"]![0]!.AsObject();

    /// <summary>Renames a key, keeping its value (to simulate a typo).</summary>
    public static void Rename(JsonObject node, string from, string to)
    {
        var value = node[from];
        node.Remove(from);
        node[to] = value;
    }

    /// <summary>Asserts the load failed with exactly one error, at <paramref name="path"/>, whose message contains each part.</summary>
    public static ConfigError AssertSingleError(ConfigLoadResult result, string path, params string[] messageParts)
    {
        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        foreach (var part in messageParts)
        {
            Assert.Contains(part, error.Message, StringComparison.Ordinal);
        }

        return error;
    }
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Core.Configuration;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Appliance.Proxy;

/// <summary>
/// Binds the raw <c>ReverseProxy</c> JSON to YARP's own route and cluster records (so any YARP
/// key works as YARP documents it), then fills in what this product decides for YARP:
/// our health policies, HTTP/1.1 to backends by default, and load balancing done by our
/// middleware rather than YARP's.
/// </summary>
internal static class YarpConfigBinder
{
    private static readonly JsonSerializerOptions Json = Options();

    private static JsonSerializerOptions Options()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            Converters = { new JsonStringEnumConverter() },
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        };
        foreach (var converter in ConfigurationStyleConverters.All)
        {
            options.Converters.Add(converter);
        }

        return options;
    }

    public sealed record Result(IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters, IReadOnlyList<ConfigError> Errors);

    public static Result Bind(ApplianceConfig config)
    {
        var errors = new List<ConfigError>();
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        var raw = config.ReverseProxy.Raw;

        foreach (var (id, element) in Section(raw, "Routes"))
        {
            var route = Deserialize<RouteConfig>(element, $"$.ReverseProxy.Routes.{id}", errors);
            if (route is not null)
            {
                routes.Add(route with { RouteId = id });
            }
        }

        foreach (var (id, element) in Section(raw, "Clusters"))
        {
            var cluster = Deserialize<ClusterConfig>(element, $"$.ReverseProxy.Clusters.{id}", errors);
            if (cluster is not null)
            {
                clusters.Add(Complete(cluster with { ClusterId = id }, config.Balancing.For(id)));
            }
        }

        return new Result(routes, clusters, errors);
    }

    private static ClusterConfig Complete(ClusterConfig cluster, ClusterBalancingOptions options)
    {
        var health = cluster.HealthCheck ?? new HealthCheckConfig();
        if (health.Active is { Enabled: true, Policy: null } active)
        {
            health = health with { Active = active with { Policy = PolicyNames.RiseFall } };
        }

        if (options.PassiveHealthCheck.Enabled)
        {
            health = health with
            {
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = PolicyNames.AppliancePassive,
                    ReactivationPeriod = options.PassiveHealthCheck.ReactivationPeriod,
                },
            };
        }

        var affinity = cluster.SessionAffinity;
        if (affinity is { Enabled: true } && string.IsNullOrEmpty(affinity.Policy))
        {
            // YARP would pick HashCookie; ours is the policy whose sessions replicate across the cluster.
            affinity = affinity with { Policy = PolicyNames.DefaultAffinityPolicy };
        }

        return cluster with
        {
            // Our middleware balances; YARP only sees the one destination it picked.
            LoadBalancingPolicy = null,
            HealthCheck = health,
            SessionAffinity = affinity,
            HttpRequest = cluster.HttpRequest ?? new ForwarderRequestConfig
            {
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            },
        };
    }

    private static IEnumerable<(string Id, JsonElement Element)> Section(JsonElement raw, string name)
    {
        if (raw.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        foreach (var property in raw.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)
                && property.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var item in property.Value.EnumerateObject())
                {
                    yield return (item.Name, item.Value);
                }
            }
        }
    }

    private static T? Deserialize<T>(JsonElement element, string path, List<ConfigError> errors)
        where T : class
    {
        try
        {
            return element.Deserialize<T>(Json);
        }
        catch (JsonException e)
        {
            var inner = e.Path is { Length: > 1 } p ? p[1..] : "";
            errors.Add(new ConfigError(path + inner, $"YARP cannot read this value: {e.Message}"));
            return null;
        }
        catch (NotSupportedException e)
        {
            errors.Add(new ConfigError(path, $"YARP cannot read this section: {e.Message}"));
            return null;
        }
    }
}

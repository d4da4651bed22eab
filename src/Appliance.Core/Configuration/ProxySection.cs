using System.Text.Json;

namespace Appliance.Core.Configuration;

/// <summary>
/// The YARP <c>ReverseProxy</c> section: the raw JSON (bound to YARP's own types by the proxy, so
/// every YARP key works unchanged) plus the few parts Core validates against our own sections.
/// </summary>
public sealed record ProxySection
{
    public static readonly ProxySection Empty = new();

    /// <summary>The section exactly as written, or an empty object.</summary>
    public JsonElement Raw { get; init; } = JsonDocument.Parse("{}").RootElement;

    public IReadOnlyDictionary<string, ProxyRouteView> Routes { get; init; } =
        new Dictionary<string, ProxyRouteView>();

    public IReadOnlyDictionary<string, ProxyClusterView> Clusters { get; init; } =
        new Dictionary<string, ProxyClusterView>();
}

/// <summary>What Core needs to know of a YARP route.</summary>
public sealed record ProxyRouteView(string ClusterId);

/// <summary>What Core needs to know of a YARP cluster.</summary>
public sealed record ProxyClusterView
{
    /// <summary>The cluster's <c>LoadBalancingPolicy</c>; a known name is held in its <see cref="PolicyNames"/> spelling whatever case the file used.</summary>
    public string? LoadBalancingPolicy { get; init; }

    /// <summary><c>SessionAffinity.Enabled</c>.</summary>
    public bool AffinityEnabled { get; init; }

    /// <summary><c>SessionAffinity.Policy</c>, in its <see cref="PolicyNames"/> spelling when known.</summary>
    public string? AffinityPolicy { get; init; }

    /// <summary><c>HealthCheck.Active.Enabled</c>.</summary>
    public bool ActiveHealthEnabled { get; init; }

    /// <summary><c>HealthCheck.Active.Policy</c>, in its <see cref="PolicyNames"/> spelling when known.</summary>
    public string? ActiveHealthPolicy { get; init; }

    public IReadOnlyDictionary<string, ProxyDestinationView> Destinations { get; init; } =
        new Dictionary<string, ProxyDestinationView>();
}

/// <summary>What Core needs to know of a YARP destination.</summary>
public sealed record ProxyDestinationView(string Address, IReadOnlyDictionary<string, string> Metadata);

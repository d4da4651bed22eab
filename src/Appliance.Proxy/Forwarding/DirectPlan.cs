using System.Runtime.CompilerServices;
using Appliance.Core.Configuration;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.SessionAffinity;

namespace Appliance.Proxy.Forwarding;

/// <summary>Where and how the direct forwarder sends to one destination: worked out once per destination model, not per request.</summary>
internal sealed record DirectTarget(string Authority, string Host, int Port, string PathPrefix, string HostHeader);

/// <summary>
/// Whether a cluster's requests may take the direct HTTP/1.1 path, and with what settings. Plans
/// are cached against YARP's immutable models (a reload builds new ones), and re-checked against
/// our own options object for the cluster, which a reload also replaces.
/// </summary>
internal sealed record DirectClusterPlan(
    ClusterBalancingOptions Options,
    bool Eligible,
    TimeSpan ActivityTimeout,
    ISessionAffinityPolicy? Affinity,
    SessionAffinityConfig? AffinityConfig);

internal static class DirectPlans
{
    /// <summary>YARP's default activity timeout.</summary>
    public static readonly TimeSpan DefaultActivityTimeout = TimeSpan.FromSeconds(100);

    private static readonly ConditionalWeakTable<DestinationModel, DirectTarget?> Targets = new();
    private static readonly ConditionalWeakTable<ClusterModel, DirectClusterPlan> Clusters = new();

    /// <summary>The destination as a plain-http target, or null (https, or an address we do not handle).</summary>
    public static DirectTarget? TargetOf(DestinationModel destination) =>
        Targets.GetValue(destination, static d => Parse(d.Config));

    public static DirectClusterPlan PlanOf(ClusterModel cluster, ClusterBalancingOptions options, IReadOnlyDictionary<string, ISessionAffinityPolicy> affinityPolicies)
    {
        if (Clusters.TryGetValue(cluster, out var plan) && ReferenceEquals(plan.Options, options))
        {
            return plan;
        }

        plan = Build(cluster.Config, options, affinityPolicies);
        Clusters.AddOrUpdate(cluster, plan);
        return plan;
    }

    internal static DirectClusterPlan Build(ClusterConfig config, ClusterBalancingOptions options, IReadOnlyDictionary<string, ISessionAffinityPolicy> affinityPolicies)
    {
        var request = config.HttpRequest;
        var client = config.HttpClient;
        var eligible = string.Equals(options.Forwarder, ForwarderModes.Auto, StringComparison.OrdinalIgnoreCase)
            && (request?.Version is null || request.Version.Major == 1)
            && (client is null || (client.WebProxy is null && client.MaxConnectionsPerServer is null
                && client.RequestHeaderEncoding is null && client.ResponseHeaderEncoding is null));

        ISessionAffinityPolicy? affinity = null;
        var affinityConfig = config.SessionAffinity;
        if (affinityConfig?.Enabled == true)
        {
            // An affinity policy that is not registered leaves the request to YARP, which reports it.
            eligible &= affinityConfig.Policy is { } name && affinityPolicies.TryGetValue(name, out affinity);
        }
        else
        {
            affinityConfig = null;
        }

        return new DirectClusterPlan(options, eligible, request?.ActivityTimeout ?? DefaultActivityTimeout, affinity, affinityConfig);
    }

    internal static DirectTarget? Parse(DestinationConfig config)
    {
        if (!Uri.TryCreate(config.Address, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return null;
        }

        var prefix = uri.AbsolutePath.TrimEnd('/');
        var hostHeader = string.IsNullOrEmpty(config.Host) ? uri.Authority : config.Host;
        return new DirectTarget($"{uri.DnsSafeHost}:{uri.Port}", uri.DnsSafeHost, uri.Port, prefix, hostHeader);
    }
}

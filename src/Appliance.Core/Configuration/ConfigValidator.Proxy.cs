namespace Appliance.Core.Configuration;

public static partial class ConfigValidator
{
    private static readonly string[] MetadataKeys =
        [DestinationMetadata.WeightKey, DestinationMetadata.MaxRequestsKey, DestinationMetadata.StateKey];

    private static void ValidateProxy(ProxySection proxy, List<ConfigError> errors)
    {
        foreach (var (routeId, route) in proxy.Routes)
        {
            var path = JsonPaths.Property(JsonPaths.Property("$.ReverseProxy.Routes", routeId), "ClusterId");
            if (string.IsNullOrWhiteSpace(route.ClusterId))
            {
                errors.Add(new(path, "the route has no ClusterId: set it to the cluster that serves it ("
                    + UseOneOf(proxy.Clusters.Keys, "", "none is defined yet: add one under ReverseProxy.Clusters") + ")."));
            }
            else if (!proxy.Clusters.ContainsKey(route.ClusterId))
            {
                errors.Add(new(path, $"the route names cluster '{route.ClusterId}', which does not exist under ReverseProxy.Clusters: "
                    + UseOneOf(proxy.Clusters.Keys, " or add that cluster.", "no cluster is defined at all: add this one under ReverseProxy.Clusters.")));
            }
        }

        foreach (var (clusterId, cluster) in proxy.Clusters)
        {
            ValidateCluster(cluster, JsonPaths.Property("$.ReverseProxy.Clusters", clusterId), errors);
        }
    }

    private static void ValidateCluster(ProxyClusterView cluster, string path, List<ConfigError> errors)
    {
        if (!string.IsNullOrEmpty(cluster.LoadBalancingPolicy) && !IsOneOf(cluster.LoadBalancingPolicy, PolicyNames.LoadBalancingPolicies))
        {
            errors.Add(new($"{path}.LoadBalancingPolicy", $"'{cluster.LoadBalancingPolicy}' is not a load-balancing policy:"
                + $"{NameSuggestions.Hint(cluster.LoadBalancingPolicy, PolicyNames.LoadBalancingPolicies)} use one of {Quote(PolicyNames.LoadBalancingPolicies)}."));
        }

        ValidateAffinity(cluster, $"{path}.SessionAffinity.Policy", errors);
        if (!string.IsNullOrEmpty(cluster.ActiveHealthPolicy) && !IsOneOf(cluster.ActiveHealthPolicy, PolicyNames.ActiveHealthPolicies))
        {
            errors.Add(new($"{path}.HealthCheck.Active.Policy", $"'{cluster.ActiveHealthPolicy}' is not an active health policy: "
                + $"use {PolicyNames.RiseFall} (the default; reads Balancing.Clusters.<id>.HealthCheck) or {PolicyNames.ConsecutiveFailures}."));
        }

        if (cluster.Destinations.Count == 0)
        {
            errors.Add(new($"{path}.Destinations", "the cluster has no destinations: add at least one, e.g. \"b1\": { \"Address\": \"http://10.0.0.11:8080/\" }."));
        }

        foreach (var (destinationId, destination) in cluster.Destinations)
        {
            var destinationPath = JsonPaths.Property($"{path}.Destinations", destinationId);
            if (!Uri.TryCreate(destination.Address, UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || string.IsNullOrEmpty(uri.Host))
            {
                errors.Add(new($"{destinationPath}.Address", $"'{destination.Address}' is not an absolute http or https address: "
                    + "write the backend's full URL, e.g. \"http://10.0.0.11:8080/\"."));
            }

            DestinationMetadata.Parse(destination.Metadata, destinationPath, errors);
            foreach (var key in destination.Metadata.Keys)
            {
                // Other metadata keys belong to YARP or to the operator, so only near-misses of ours are errors.
                if (!IsOneOf(key, MetadataKeys) && NameSuggestions.Closest(key, MetadataKeys, maxDistance: 1) is { } meant)
                {
                    errors.Add(new(JsonPaths.Property($"{destinationPath}.Metadata", key),
                        $"'{key}' looks like a misspelling of '{meant}' and would be ignored: spell it '{meant}'."));
                }
            }
        }
    }

    private static void ValidateAffinity(ProxyClusterView cluster, string path, List<ConfigError> errors)
    {
        // No policy is fine: the proxy applies PolicyNames.DefaultAffinityPolicy.
        var policy = cluster.AffinityPolicy;
        if (!string.IsNullOrEmpty(policy) && !IsOneOf(policy, PolicyNames.AffinityPolicies))
        {
            errors.Add(new(path, $"'{policy}' is not a session affinity policy:{NameSuggestions.Hint(policy, PolicyNames.AffinityPolicies)} "
                + $"use one of {Quote(PolicyNames.AffinityPolicies)} ({PolicyNames.ApplianceCookie} shares sessions across the cluster)."));
        }
    }
}

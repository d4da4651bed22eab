using System.Text.Json;

namespace Appliance.Core.Configuration;

/// <summary>
/// Reads the light views of YARP's <c>ReverseProxy</c> section that Core validates. Unknown keys
/// are left alone here (YARP has many; the proxy runs YARP's own validator), but the parts we read
/// must have the right shape. Lookups are case-insensitive and the last duplicate wins, as with
/// IConfiguration (duplicates are reported separately). Policy names that match a known one in any
/// case are stored in its canonical spelling, so consumers may compare them ordinally.
/// </summary>
internal sealed class ProxySectionReader(ICollection<ConfigError> errors, ICollection<string> failedPaths)
{
    public ProxySection Read(JsonElement section, string path)
    {
        if (section.ValueKind == JsonValueKind.Null)
        {
            return ProxySection.Empty;
        }

        if (section.ValueKind != JsonValueKind.Object)
        {
            Fail(path, $"expected YARP's ReverseProxy object with Routes and Clusters, found {JsonPaths.Describe(section)}.");
            return ProxySection.Empty;
        }

        var routes = new Dictionary<string, ProxyRouteView>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, route, routePath) in Entries(section, "Routes", path, "route"))
        {
            routes[id] = new ProxyRouteView(String(route, "ClusterId", routePath) ?? "");
        }

        var clusters = new Dictionary<string, ProxyClusterView>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, cluster, clusterPath) in Entries(section, "Clusters", path, "cluster"))
        {
            clusters[id] = ReadCluster(cluster, clusterPath);
        }

        return new ProxySection { Raw = section.Clone(), Routes = routes, Clusters = clusters };
    }

    private ProxyClusterView ReadCluster(JsonElement cluster, string path)
    {
        var view = new ProxyClusterView
        {
            LoadBalancingPolicy = Canonical(PolicyNames.LoadBalancingPolicies, String(cluster, "LoadBalancingPolicy", path)),
        };
        if (Object(cluster, "SessionAffinity", path) is (var affinity, var affinityPath))
        {
            view = view with
            {
                AffinityEnabled = Bool(affinity, "Enabled", affinityPath) ?? false,
                AffinityPolicy = Canonical(PolicyNames.AffinityPolicies, String(affinity, "Policy", affinityPath)),
            };
        }

        if (Object(cluster, "HealthCheck", path) is (var health, var healthPath)
            && Object(health, "Active", healthPath) is (var active, var activePath))
        {
            view = view with
            {
                ActiveHealthEnabled = Bool(active, "Enabled", activePath) ?? false,
                ActiveHealthPolicy = Canonical(PolicyNames.ActiveHealthPolicies, String(active, "Policy", activePath)),
            };
        }

        var destinations = new Dictionary<string, ProxyDestinationView>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, destination, destinationPath) in Entries(cluster, "Destinations", path, "destination"))
        {
            var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (Object(destination, "Metadata", destinationPath) is (var meta, var metaPath))
            {
                foreach (var entry in meta.EnumerateObject())
                {
                    // YARP metadata values are strings; a number written bare is read as its text, as IConfiguration does.
                    if (String(meta, entry.Name, metaPath) is { } text)
                    {
                        metadata[entry.Name] = text;
                    }
                }
            }

            destinations[id] = new ProxyDestinationView(String(destination, "Address", destinationPath) ?? "", metadata);
        }

        return view with { Destinations = destinations };
    }

    /// <summary>The entries of an id-keyed object such as Routes; each entry must itself be an object.</summary>
    private IEnumerable<(string Id, JsonElement Value, string Path)> Entries(
        JsonElement parent, string name, string parentPath, string what)
    {
        if (Object(parent, name, parentPath) is not (var map, var mapPath))
        {
            yield break;
        }

        foreach (var entry in map.EnumerateObject())
        {
            var entryPath = JsonPaths.Property(mapPath, entry.Name);
            if (entry.Value.ValueKind == JsonValueKind.Object)
            {
                yield return (entry.Name, entry.Value, entryPath);
            }
            else
            {
                Fail(entryPath, $"expected the {what} '{entry.Name}' as an object ({{ ... }}), found {JsonPaths.Describe(entry.Value)}.");
            }
        }
    }

    private (JsonElement Value, string Path)? Object(JsonElement parent, string name, string parentPath)
    {
        if (Find(parent, name) is not { } value)
        {
            return null;
        }

        var path = JsonPaths.Property(parentPath, name);
        if (value.ValueKind != JsonValueKind.Object)
        {
            Fail(path, $"expected an object ({{ ... }}), found {JsonPaths.Describe(value)}.");
            return null;
        }

        return (value, path);
    }

    private string? String(JsonElement parent, string name, string parentPath)
    {
        if (Find(parent, name) is not { } value)
        {
            return null;
        }

        var text = JsonScalars.ReadString(value, out var error);
        if (error is not null)
        {
            Fail(JsonPaths.Property(parentPath, name), error);
        }

        return text;
    }

    private bool? Bool(JsonElement parent, string name, string parentPath)
    {
        if (Find(parent, name) is not { } value)
        {
            return null;
        }

        var flag = JsonScalars.ReadBool(value, out var error);
        if (error is not null)
        {
            Fail(JsonPaths.Property(parentPath, name), error);
            return null;
        }

        return flag;
    }

    private static string? Canonical(IReadOnlyList<string> names, string? name) => PolicyNames.Find(names, name) ?? name;

    /// <summary>The value of a key, ignoring case; null when absent or JSON null (IConfiguration treats both alike).</summary>
    private static JsonElement? Find(JsonElement parent, string name)
    {
        JsonElement? found = null;
        foreach (var member in parent.EnumerateObject())
        {
            if (string.Equals(member.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                found = member.Value.ValueKind == JsonValueKind.Null ? null : member.Value;
            }
        }

        return found;
    }

    private void Fail(string path, string message)
    {
        errors.Add(new(path, message));
        failedPaths.Add(path);
    }
}

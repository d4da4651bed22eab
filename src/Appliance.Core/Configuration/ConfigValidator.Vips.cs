using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Core.Configuration;

public static partial class ConfigValidator
{
    private static void ValidateVips(IReadOnlyList<VipOptions> vips, bool clustered, ProxySection proxy, TcpOptions tcp, List<ConfigError> errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < vips.Count; i++)
        {
            var vip = vips[i];
            var root = JsonPaths.Index("$.Vips", i);
            if (!TryParseVipAddress(vip.Address, out var canonical))
            {
                errors.Add(new($"{root}.Address", $"'{vip.Address}' is not an address with a prefix length: write it as \"198.18.0.10/24\" or \"2001:db8::10/64\"."));
            }
            else if (!seen.TryAdd(canonical, i))
            {
                errors.Add(new($"{root}.Address", $"'{vip.Address}' is already defined at $.Vips[{seen[canonical]}]: each VIP is listed once."));
            }

            if (string.IsNullOrWhiteSpace(vip.Interface) || vip.Interface.Length > 15 || vip.Interface.Contains('/', StringComparison.Ordinal))
            {
                errors.Add(new($"{root}.Interface", $"'{vip.Interface}' is not an interface name: write the Linux name (at most 15 characters), e.g. \"eth0\"."));
            }

            if (vip.Priorities.Count == 0)
            {
                errors.Add(new($"{root}.Priorities", "no priorities: give each node that may hold the VIP a priority 1..255 by its Node.Name, e.g. { \"lb1\": 200, \"lb2\": 100 }."));
            }
            else if (!clustered && vip.Priorities.Count > 1)
            {
                errors.Add(new($"{root}.Priorities", "several nodes are listed but there is no Cluster section: nodes learn of each other through membership, so add a Cluster section."));
            }

            foreach (var (node, priority) in vip.Priorities)
            {
                if (priority is < 1 or > 255)
                {
                    errors.Add(new(JsonPaths.Property($"{root}.Priorities", node), $"{priority} is outside 1..255: higher wins; leave a node out to keep it from ever holding the VIP."));
                }
            }

            Positive(vip.PreemptDelay, $"{root}.PreemptDelay", errors, allowZero: true);
            ValidateTrack(vip.Track, $"{root}.Track", proxy, tcp, errors);
            ValidateGarp(vip.Garp, $"{root}.Garp", errors);
        }
    }

    private static void ValidateTrack(VipTrackOptions track, string root, ProxySection proxy, TcpOptions tcp, List<ConfigError> errors)
    {
        for (var i = 0; i < track.Interfaces.Count; i++)
        {
            var path = JsonPaths.Index($"{root}.Interfaces", i);
            if (string.IsNullOrWhiteSpace(track.Interfaces[i].Name))
            {
                errors.Add(new($"{path}.Name", "no interface name: write the Linux name of the interface to watch, e.g. \"eth1\"."));
            }

            Weight(track.Interfaces[i].Weight, $"{path}.Weight", errors);
        }

        for (var i = 0; i < track.Pools.Count; i++)
        {
            var path = JsonPaths.Index($"{root}.Pools", i);
            var (cluster, pool) = (track.Pools[i].Cluster, track.Pools[i].TcpPool);
            if (cluster.Length > 0 == pool.Length > 0)
            {
                errors.Add(new(path, "name exactly one pool: \"Cluster\" (an HTTP cluster of ReverseProxy.Clusters) or \"TcpPool\" (a pool of Tcp.Pools)."));
            }
            else if (cluster.Length > 0 && !proxy.Clusters.ContainsKey(cluster))
            {
                errors.Add(new($"{path}.Cluster", $"'{cluster}' is not a cluster of ReverseProxy.Clusters: "
                    + UseOneOf(proxy.Clusters.Keys, ".", "none is defined: add it there.")));
            }
            else if (pool.Length > 0 && !tcp.Pools.ContainsKey(pool))
            {
                errors.Add(new($"{path}.TcpPool", $"'{pool}' is not a pool of Tcp.Pools: "
                    + UseOneOf(tcp.Pools.Keys, ".", "none is defined: add it there.")));
            }

            Weight(track.Pools[i].Weight, $"{path}.Weight", errors);
        }

        if (track.Script is { } script)
        {
            var path = $"{root}.Script";
            if (string.IsNullOrWhiteSpace(script.Path))
            {
                errors.Add(new($"{path}.Path", "no script path: name an executable whose exit code 0 means healthy, e.g. \"/etc/appliance/check-gateway.sh\"."));
            }

            Positive(script.Interval, $"{path}.Interval", errors);
            Positive(script.Timeout, $"{path}.Timeout", errors);
            if (script.Timeout > script.Interval)
            {
                errors.Add(new($"{path}.Timeout", $"the timeout {script.Timeout} is longer than the interval {script.Interval}: runs would overlap; make the timeout shorter."));
            }

            if (script.Rise < 1)
            {
                errors.Add(new($"{path}.Rise", $"{script.Rise} must be 1 or more: successes in a row before the script counts as healthy again."));
            }

            if (script.Fall < 1)
            {
                errors.Add(new($"{path}.Fall", $"{script.Fall} must be 1 or more: failures in a row before the script counts as failed."));
            }

            Weight(script.Weight, $"{path}.Weight", errors);
        }
    }

    private static void ValidateGarp(GarpOptions garp, string root, List<ConfigError> errors)
    {
        if (garp.Count is < 1 or > 100)
        {
            errors.Add(new($"{root}.Count", $"{garp.Count} is outside 1..100: announcements per burst (5 is usual)."));
        }

        Positive(garp.Interval, $"{root}.Interval", errors);
        Positive(garp.SecondBurstDelay, $"{root}.SecondBurstDelay", errors, allowZero: true);
        Positive(garp.MinSpacing, $"{root}.MinSpacing", errors, allowZero: true);
    }

    private static void Weight(int weight, string path, List<ConfigError> errors)
    {
        if (weight is < 0 or > 254)
        {
            errors.Add(new(path, $"{weight} is outside 0..254: the priority lost while it fails; 0 means the node cannot hold the VIP at all while it fails."));
        }
    }

    private static bool TryParseVipAddress(string text, out string canonical)
    {
        canonical = "";
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var ip)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }

        var max = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        canonical = ip.ToString();
        return prefix >= 1 && prefix <= max;
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Appliance.Cluster.Membership;

/// <summary>Where a node listens for cluster traffic: <c>host:port</c>. Ordered, so "lowest address" is well defined.</summary>
public readonly record struct NodeAddress(string Host, int Port) : IComparable<NodeAddress>
{
    public int CompareTo(NodeAddress other)
    {
        var byHost = string.CompareOrdinal(Host, other.Host);
        return byHost != 0 ? byHost : Port.CompareTo(other.Port);
    }

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal)
        ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <c>host:port</c> or <c>[v6]:port</c>.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out NodeAddress? address)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            return false;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Length == 0)
        {
            return false;
        }

        address = new NodeAddress(host, port);
        return true;
    }

    public static bool operator <(NodeAddress left, NodeAddress right) => left.CompareTo(right) < 0;
    public static bool operator >(NodeAddress left, NodeAddress right) => left.CompareTo(right) > 0;
    public static bool operator <=(NodeAddress left, NodeAddress right) => left.CompareTo(right) <= 0;
    public static bool operator >=(NodeAddress left, NodeAddress right) => left.CompareTo(right) >= 0;
}

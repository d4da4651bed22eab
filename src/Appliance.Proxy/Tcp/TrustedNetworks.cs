using System.Net;
using Appliance.Core.Configuration;

namespace Appliance.Proxy.Tcp;

/// <summary>The fronts whose PROXY headers are believed: addresses and CIDR networks, IPv4-mapped clients matched as IPv4.</summary>
internal sealed class TrustedNetworks
{
    public static readonly TrustedNetworks None = new([]);

    private readonly IPNetwork[] _networks;

    private TrustedNetworks(IPNetwork[] networks) => _networks = networks;

    public static TrustedNetworks From(TcpAcceptProxyProtocolOptions? options) =>
        options is null ? None : From(options.TrustedProxies);

    /// <summary>From validated entries: addresses (<c>10.0.0.1</c>) and CIDR networks (<c>10.1.0.0/16</c>).</summary>
    public static TrustedNetworks From(IReadOnlyList<string> entries) =>
        entries.Count == 0 ? None : new([.. entries.Select(entry => entry.Contains('/', StringComparison.Ordinal)
            ? IPNetwork.Parse(entry)
            : new IPNetwork(IPAddress.Parse(entry), entry.Contains(':', StringComparison.Ordinal) ? 128 : 32))]);

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}

using System.Net;
using System.Net.Sockets;

namespace Appliance.Core.Configuration;

public static partial class ConfigValidator
{
    /// <summary>As many VIPs as one advert datagram carries (Appliance.Vip's AdvertFrame.MaxVips).</summary>
    public const int MaxVipsPerNode = 64;

    private static void ValidateVipAdverts(VipAdvertsOptions adverts, int vipCount, string nodeName, List<ConfigError> errors)
    {
        const string Root = "$.VipAdverts";
        if (System.Text.Encoding.UTF8.GetByteCount(nodeName) > 64 || nodeName.Any(char.IsControl))
        {
            errors.Add(new("$.Node.Name", "with VIPs the node name must be at most 64 bytes without control characters: every VIP advert carries it."));
        }

        if (vipCount > MaxVipsPerNode)
        {
            errors.Add(new("$.Vips", $"{vipCount} VIPs: at most {MaxVipsPerNode} fit one VIP advert; split them over more balancer pairs."));
        }

        if (adverts.Port is < 1 or > 65535)
        {
            errors.Add(new($"{Root}.Port", $"{adverts.Port} is not a UDP port: write 1..65535 (default 7947), the same on every node."));
        }

        if (!IPAddress.TryParse(adverts.BindAddress, out _))
        {
            errors.Add(new($"{Root}.BindAddress", $"'{adverts.BindAddress}' is not an IP address: write this node's own address or \"0.0.0.0\" (the default)."));
        }

        if (adverts.Interval < TimeSpan.FromMilliseconds(10) || adverts.Interval > TimeSpan.FromSeconds(10))
        {
            errors.Add(new($"{Root}.Interval", $"'{adverts.Interval}' is outside 00:00:00.010..00:00:10: shorter costs CPU on every node for nothing a LAN can deliver, longer makes takeover slow (default 00:00:00.020)."));
        }

        if (adverts.MissCount is < 2 or > 100)
        {
            errors.Add(new($"{Root}.MissCount", $"{adverts.MissCount} is outside 2..100: the holder is presumed dead after this many intervals without an advert (default 8; one lost datagram must never be enough)."));
        }

        for (var i = 0; i < adverts.Peers.Count; i++)
        {
            if (!IPEndPoint.TryParse(adverts.Peers[i], out var peer) || peer.Address.Equals(IPAddress.Any) || peer.Address.Equals(IPAddress.IPv6Any))
            {
                errors.Add(new(JsonPaths.Index($"{Root}.Peers", i), $"'{adverts.Peers[i]}' is not a peer address: write its IP, or IP:port when it listens on another port, e.g. \"198.18.0.12\"."));
            }
        }

        if (adverts.Multicast is { } multicast)
        {
            if (!IPAddress.TryParse(multicast.Group, out var group) || group.AddressFamily != AddressFamily.InterNetwork || (group.GetAddressBytes()[0] & 0xF0) != 224)
            {
                errors.Add(new($"{Root}.Multicast.Group", $"'{multicast.Group}' is not an IPv4 multicast group: write one of 224.0.0.0/4, e.g. \"239.255.79.47\" (the default)."));
            }

            if (string.IsNullOrWhiteSpace(multicast.Interface) || multicast.Interface.Length > 15)
            {
                errors.Add(new($"{Root}.Multicast.Interface", $"'{multicast.Interface}' is not an interface name: name the Linux interface the nodes share, e.g. \"eth0\"."));
            }

            if (adverts.Peers.Count > 0)
            {
                errors.Add(new($"{Root}.Peers", "Peers and Multicast both set: adverts go either to each listed peer or to the group; remove one."));
            }
        }
    }
}

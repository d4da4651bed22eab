using System.Net.Sockets;
using System.Runtime.Versioning;
using Appliance.Core.Configuration;
using Appliance.Core.Membership;
using Appliance.Vip.Linux;
using Microsoft.Extensions.Logging;

namespace Appliance.Vip.Adverts;

/// <summary>Opens the advert channel from the configuration, or says in words why it cannot.</summary>
internal static class AdvertChannelFactory
{
    [SupportedOSPlatform("linux")]
    public static (UdpAdvertChannel? Channel, string? Error) Open(ApplianceConfig config, byte[] key, IClusterMembership membership, TimeProvider time, ILogger logger)
    {
        var options = config.VipAdverts;
        AdvertMulticast? multicast = null;
        if (options.Multicast is { } m)
        {
            if (LinkInfo.Find(m.Interface) is not { } link)
            {
                return (null, $"VipAdverts.Multicast.Interface '{m.Interface}' does not exist on this node");
            }

            multicast = new AdvertMulticast(System.Net.IPAddress.Parse(m.Group), link.Index);
        }

        var self = config.Node.Name;
        var best = config.Vips.Select(v => v.Priorities.GetValueOrDefault(self)).DefaultIfEmpty(0).Max();
        var settings = AdvertChannelSettings.From(options, self, best, multicast);
        try
        {
            var channel = new UdpAdvertChannel(settings, key, () => AdvertPeers.From(membership.Current, options), time, logger);
            AdvertLog.Listening(logger, channel.LocalEndPoint.ToString() ?? "?", options.Interval.TotalMilliseconds,
                options.Multicast is { } group ? $"{group.Group} on {group.Interface}" : options.Peers.Count > 0 ? string.Join(", ", options.Peers) : "every cluster member",
                settings.SilenceAfter.TotalMilliseconds);
            return (channel, null);
        }
        catch (SocketException e)
        {
            return (null, $"cannot open the VIP advert socket udp {options.BindAddress}:{options.Port} ({e.SocketErrorCode}: {e.Message}); set VipAdverts.BindAddress/Port");
        }
    }
}

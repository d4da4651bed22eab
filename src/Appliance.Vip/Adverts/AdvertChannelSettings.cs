using System.Net;
using Appliance.Core.Configuration;

namespace Appliance.Vip.Adverts;

/// <summary>Multicast: the group, and the index of the interface to send and join on.</summary>
internal sealed record AdvertMulticast(IPAddress Group, int InterfaceIndex);

/// <summary>The advert channel's settings, resolved from the <c>VipAdverts</c> section.</summary>
/// <param name="SilenceAfter">VRRP's master-down interval: a peer silent this long is presumed dead.</param>
internal sealed record AdvertChannelSettings(string Self, int Port, IPAddress Bind, TimeSpan Interval, TimeSpan SilenceAfter, AdvertMulticast? Multicast)
{
    /// <summary>
    /// <paramref name="options"/> for this node: silence after MissCount intervals plus VRRP's skew,
    /// (256 - priority) / 256 of an interval, with this node's best priority over its VIPs, so the
    /// best backup moves first and the others see its claim before they would move.
    /// </summary>
    public static AdvertChannelSettings From(VipAdvertsOptions options, string self, int bestPriority, AdvertMulticast? multicast) =>
        new(self, options.Port, IPAddress.Parse(options.BindAddress), options.Interval, MasterDown(options.Interval, options.MissCount, bestPriority), multicast);

    /// <summary>MissCount intervals plus the skew of <paramref name="priority"/> (1..255).</summary>
    public static TimeSpan MasterDown(TimeSpan interval, int missCount, int priority) =>
        (interval * missCount) + (interval * ((256 - Math.Clamp(priority, 1, 255)) / 256.0));
}

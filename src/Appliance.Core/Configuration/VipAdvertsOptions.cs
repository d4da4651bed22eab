namespace Appliance.Core.Configuration;

/// <summary>
/// The <c>VipAdverts</c> section: the VIP layer's own advert channel (UDP, VRRP-style), by which
/// the nodes tell each other their VIP stand and notice a dead holder from its silence. Defaults
/// fit a LAN; docs/vips.md gives the arithmetic behind them.
/// </summary>
public sealed record VipAdvertsOptions
{
    /// <summary>UDP port every node listens on and sends to.</summary>
    public int Port { get; init; } = 7947;

    /// <summary>Local address to bind (an IP; the wildcard by default).</summary>
    public string BindAddress { get; init; } = "0.0.0.0";

    /// <summary>Between two adverts of one node.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The holder is presumed dead after this many intervals of silence (plus a skew that favours higher priority).</summary>
    public int MissCount { get; init; } = 8;

    /// <summary>Where to send, as IP or IP:port; empty (the default) sends to every member of the cluster view.</summary>
    public IReadOnlyList<string> Peers { get; init; } = [];

    /// <summary>Send to a multicast group on a named interface instead of unicast to each peer.</summary>
    public VipAdvertsMulticastOptions? Multicast { get; init; }
}

/// <summary>Multicast for the VIP adverts: one datagram per advert however many nodes listen.</summary>
public sealed record VipAdvertsMulticastOptions
{
    /// <summary>An IPv4 multicast group (224.0.0.0/4); administratively scoped 239.0.0.0/8 suits a site.</summary>
    public string Group { get; init; } = "239.255.79.47";

    /// <summary>The interface to send and join on, e.g. "eth0".</summary>
    public string Interface { get; init; } = "";
}

using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Appliance.Vip.Ownership;

namespace Appliance.Vip.Linux;

/// <summary>rtnetlink for addresses (no library does them), libpcap (SharpPcap) for gratuitous ARP and unsolicited NA.</summary>
[SupportedOSPlatform("linux")]
internal sealed class LinuxVipDriver : IVipDriver, IDisposable
{
    /// <summary>Suffix of the IPv4 label that marks our addresses, e.g. "eth0:vip".</summary>
    public const string LabelSuffix = ":vip";

    private readonly NetlinkClient _netlink = new();
    private readonly PcapFrameSender _frames = new();

    /// <summary>The label for VIPs on <paramref name="iface"/>; the kernel allows 15 characters.</summary>
    public static string Label(string iface) => iface.Length + LabelSuffix.Length <= 15 ? iface + LabelSuffix : iface;

    public IReadOnlyList<string> RemoveStale(IReadOnlyList<VipDefinition> vips)
    {
        var removed = new List<string>();
        foreach (var a in _netlink.List(2))
        {
            if (a.Label is { } label && label.EndsWith(LabelSuffix, StringComparison.Ordinal)
                && _netlink.Change(false, a.IfIndex, a.Address, a.Prefix, null) == 0)
            {
                removed.Add($"{a.Address}/{a.Prefix} ({label})");
            }
        }

        // IPv6 keeps no labels: remove only configured VIPs found on their interfaces.
        var v6 = _netlink.List(10);
        foreach (var vip in vips)
        {
            if (VipAddress.Parse(vip.Address) is { Ip.AddressFamily: AddressFamily.InterNetworkV6 } p && LinkInfo.Find(vip.Interface) is { } link
                && v6.Any(a => a.IfIndex == link.Index && a.Address.Equals(p.Ip)) && _netlink.Change(false, link.Index, p.Ip, p.Prefix, null) == 0)
            {
                removed.Add(vip.Address);
            }
        }

        return removed;
    }

    public string? Add(VipDefinition vip) => Change(vip, add: true);

    public string? Remove(VipDefinition vip) => Change(vip, add: false);

    public (int Sent, string? Error) Announce(VipDefinition vip)
    {
        if (VipAddress.Parse(vip.Address) is not { } p)
        {
            return (0, $"'{vip.Address}' is not an address/prefix");
        }

        if (LinkInfo.Find(vip.Interface) is not { } link)
        {
            return (0, $"interface '{vip.Interface}' does not exist: no gratuitous ARP/NA sent");
        }

        if (link is not { NoArp: false, Mac.Length: 6 })
        {
            return (0, null); // NOARP or no Ethernet MAC (a tunnel): neighbours learn nothing from us
        }

        byte[][] frames = p.Ip.AddressFamily == AddressFamily.InterNetworkV6
            ? [UnsolicitedNeighborAdvert.Build(link.Mac, p.Ip)]
            : [GratuitousArp.Build(link.Mac, p.Ip, reply: false), GratuitousArp.Build(link.Mac, p.Ip, reply: true)];
        return _frames.Send(vip.Interface, frames);
    }

    private string? Change(VipDefinition vip, bool add)
    {
        if (VipAddress.Parse(vip.Address) is not { } p)
        {
            return $"'{vip.Address}' is not an address/prefix";
        }

        if (LinkInfo.Find(vip.Interface) is not { } link)
        {
            return $"interface '{vip.Interface}' does not exist";
        }

        var errno = _netlink.Change(add, link.Index, p.Ip, p.Prefix, Label(vip.Interface));
        return errno switch
        {
            0 => null,
            17 when add => null, // EEXIST: already there
            99 when !add => null, // EADDRNOTAVAIL: already gone
            _ => $"netlink {(add ? "add" : "remove")} of {vip.Address} on {vip.Interface} failed: errno {errno}",
        };
    }

    public void Dispose()
    {
        _netlink.Dispose();
        _frames.Dispose();
    }
}

using System.Runtime.Versioning;
using Appliance.Vip.Linux;
using Appliance.Vip.Ownership;

namespace Appliance.Tests.Linux;

/// <summary>
/// The frames on a real wire: a veth pair whose far end sits in a network namespace that has a
/// stale neighbour entry for the VIP (another MAC). After one announcement the entry names our MAC.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class AnnouncementNeighborTests : IDisposable
{
    private const string StaleMac = "02:00:00:00:00:99";
    private readonly string _id = Guid.NewGuid().ToString("N")[..6];
    private readonly bool _created;

    public AnnouncementNeighborTests()
    {
        if (Environment.UserName != "root")
        {
            return;
        }

        _created = true;
        RootFactAttribute.Ip($"netns add {Ns}");
        RootFactAttribute.Ip($"link add {Link} type veth peer name {Peer}");
        RootFactAttribute.Ip($"link set {Peer} netns {Ns}");
        RootFactAttribute.Ip($"link set {Link} up");
        InNs($"link set {Peer} up");
        InNs($"addr add 198.18.201.1/24 dev {Peer}");
        InNs($"-6 addr add 2001:db8:201::1/64 dev {Peer} nodad");
        // A just-written entry is locked against ARP updates for a second (locktime): not here.
        RootFactAttribute.Ip($"netns exec {Ns} sysctl -qw net.ipv4.neigh.{Peer}.locktime=0");
        InNs($"neigh add 198.18.201.10 lladdr {StaleMac} dev {Peer} nud stale");
        InNs($"-6 neigh add 2001:db8:201::10 lladdr {StaleMac} dev {Peer} nud stale");
    }

    private string Ns => "vipa" + _id;

    private string Link => "va" + _id;

    private string Peer => "vb" + _id;

    [RootFact]
    public void Announce_Ipv4_PeerNeighbourEntryMovesToOurMac() => AssertMoves("198.18.201.10/24", 2);

    [RootFact]
    public void Announce_Ipv6_PeerNeighbourEntryMovesToOurMac() => AssertMoves("2001:db8:201::10/64", 1);

    [RootFact]
    public void Announce_InterfaceUnknownToLibpcap_ClearErrorNoThrow()
    {
        using var frames = new PcapFrameSender();

        var (sent, error) = frames.Send("nosuch0", [GratuitousArp.Build(new byte[6], System.Net.IPAddress.Parse("198.18.201.10"), false)]);

        Assert.Equal(0, sent);
        Assert.Contains("interface 'nosuch0' is not known to libpcap", error, StringComparison.Ordinal);
    }

    private void AssertMoves(string vip, int frames)
    {
        var mac = File.ReadAllText($"/sys/class/net/{Link}/address").Trim();
        var address = vip.Split('/')[0];
        Assert.Contains(StaleMac, InNs($"neigh show {address} dev {Peer}"), StringComparison.Ordinal);
        using var driver = new LinuxVipDriver();

        Assert.Equal((frames, null), driver.Announce(new VipDefinition("v", vip, Link, new Dictionary<string, int> { ["a"] = 100 }, true, TimeSpan.Zero)));

        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (!InNs($"neigh show {address} dev {Peer}").Contains(mac, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.Contains(mac, InNs($"neigh show {address} dev {Peer}"), StringComparison.Ordinal);
    }

    private string InNs(string args) => RootFactAttribute.Ip($"-n {Ns} {args}");

    public void Dispose()
    {
        if (_created)
        {
            RootFactAttribute.Ip($"link del {Link}");
            RootFactAttribute.Ip($"netns del {Ns}");
        }
    }
}

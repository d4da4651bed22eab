namespace Appliance.Image.Tests;

/// <summary>
/// The first-boot file's hardware NIC keys (LINK, BOND, VLAN, TRAFFIC, CLUSTER: firstboot-network)
/// against a temporary root: the networkd and udev files they make, read back as files and by
/// systemd's own parsers, and what happens to bad lines.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FirstbootNetworkTests : IDisposable
{
    private static readonly string Script = Repo.Path("appliance", "files", "usr", "lib", "appliance", "firstboot");

    /// <summary>A node of an HA pair: management NIC, LACP bond with two VLANs, a cluster link.</summary>
    private const string Server = """
        LINK=mgmt0 52:54:00:AA:00:01
        LINK=ext0 pci-0000:03:00.0
        LINK=ext1 pci-0000:03:00.1
        LINK=ha0 52:54:00:aa:00:09
        INTERFACE=mgmt0
        ADDRESS=198.18.0.11/24
        GATEWAY=198.18.0.1
        DNS=198.18.0.53
        BOND=bond0 802.3ad ext0 ext1
        VLAN=ext100 bond0 100
        VLAN=ext200 bond0 200
        TRAFFIC=ext100 198.18.1.11/24 198.18.1.1
        TRAFFIC=ext200
        CLUSTER=ha0 198.19.0.1/30
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("appliance-firstboot-net-").FullName;

    public FirstbootNetworkTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc", "appliance"));
        File.WriteAllText(Path.Combine(_root, "etc", "hosts"), "127.0.0.1\tlocalhost\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string NetworkDir => Path.Combine(_root, "etc", "systemd", "network");

    private string Read(string name) => File.ReadAllText(Path.Combine(NetworkDir, name));

    private string[] Written() => Directory.Exists(NetworkDir)
        ? Directory.GetFiles(NetworkDir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray()
        : [];

    private Task<Tool.Result> ApplyAsync(string firstboot)
    {
        File.WriteAllText(Path.Combine(_root, "etc", "appliance", "firstboot.conf"), firstboot);
        return Tool.RunAsync("bash", [Script], environment: new Dictionary<string, string?>
        {
            ["APPLIANCE_ROOT"] = _root,
            ["APPLIANCE_GROUP"] = "root",
        });
    }

    [Fact]
    public async Task Server_GetsStableNames_ABond_VlansOnIt_TrafficManagementAndClusterApart()
    {
        var result = await ApplyAsync(Server);

        Assert.True(result.ExitCode == 0 && !result.Stderr.Contains("WARNING", StringComparison.Ordinal), result.ToString());
        Assert.Equal(
            ["10-appliance-ext0.link", "10-appliance-ext1.link", "10-appliance-ha0.link", "10-appliance-mgmt0.link", "10-appliance.network",
             "20-appliance-bond0.netdev", "20-appliance-bond0.network", "20-appliance-ext0.network", "20-appliance-ext1.network",
             "20-appliance-ext100.netdev", "20-appliance-ext100.network", "20-appliance-ext200.netdev", "20-appliance-ext200.network",
             "20-appliance-ha0.network"],
            Written());

        // Stable names: by permanent MAC (a bond's NICs and VLANs share MACs, not permanent ones) or PCI path.
        Assert.Contains("[Match]\nPermanentMACAddress=52:54:00:aa:00:01\n\n[Link]\nName=mgmt0\n", Read("10-appliance-mgmt0.link"), StringComparison.Ordinal);
        Assert.Contains("[Match]\nPath=pci-0000:03:00.1\n\n[Link]\nName=ext1\n", Read("10-appliance-ext1.link"), StringComparison.Ordinal);

        var bond = Read("20-appliance-bond0.netdev");
        foreach (var line in new[] { "Kind=bond", "Mode=802.3ad", "LACPTransmitRate=fast", "TransmitHashPolicy=layer3+4", "MIIMonitorSec=100ms" })
        {
            Assert.Contains(line + "\n", bond, StringComparison.Ordinal);
        }

        Assert.Contains("Bond=bond0\n", Read("20-appliance-ext0.network"), StringComparison.Ordinal);
        Assert.Contains("Bond=bond0\n", Read("20-appliance-ext1.network"), StringComparison.Ordinal);
        Assert.DoesNotContain("Address=", Read("20-appliance-ext0.network"), StringComparison.Ordinal);

        // The bond carries only the VLANs: no address, not even link-local; online with carrier.
        var carrier = Read("20-appliance-bond0.network");
        Assert.Contains("VLAN=ext100\nVLAN=ext200\n", carrier, StringComparison.Ordinal);
        Assert.Contains("LinkLocalAddressing=no\n", carrier, StringComparison.Ordinal);
        Assert.Contains("RequiredForOnline=carrier\n", carrier, StringComparison.Ordinal);
        Assert.Contains("Kind=vlan\n\n[VLAN]\nId=200\n", Read("20-appliance-ext200.netdev"), StringComparison.Ordinal);

        var traffic = Read("20-appliance-ext100.network");
        Assert.Contains("Name=ext100\n", traffic, StringComparison.Ordinal);
        Assert.Contains("Address=198.18.1.11/24\nGateway=198.18.1.1\nIPv6AcceptRA=no\n", traffic, StringComparison.Ordinal);
        Assert.Contains("RequiredForOnline=carrier\n", Read("20-appliance-ext200.network"), StringComparison.Ordinal); // VIPs only

        var management = Read("10-appliance.network");
        Assert.Contains("Name=mgmt0\n", management, StringComparison.Ordinal);
        Assert.Contains("Address=198.18.0.11/24\nGateway=198.18.0.1\nDNS=198.18.0.53\n", management, StringComparison.Ordinal);

        var cluster = Read("20-appliance-ha0.network");
        Assert.Contains("Address=198.19.0.1/30\n", cluster, StringComparison.Ordinal);
        Assert.DoesNotContain("Gateway=", cluster, StringComparison.Ordinal);
        Assert.Contains("cluster link ha0 198.19.0.1/30 (set Cluster.BindAddress", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActiveBackup_HasAPrimary_AnnouncesOnFailover_AndManagementCanUseDhcpOnAVlan()
    {
        var result = await ApplyAsync("""
            BOND=bond0 active-backup eth1 eth2
            VLAN=mgmt bond0 10
            VLAN=ext bond0 20
            INTERFACE=mgmt
            TRAFFIC=ext 198.18.2.11/24
            """);

        Assert.True(result.ExitCode == 0 && !result.Stderr.Contains("WARNING", StringComparison.Ordinal), result.ToString());
        var bond = Read("20-appliance-bond0.netdev");
        Assert.Contains("Mode=active-backup\n", bond, StringComparison.Ordinal);
        Assert.Contains("GratuitousARP=3\n", bond, StringComparison.Ordinal);
        Assert.DoesNotContain("LACP", bond, StringComparison.Ordinal);
        Assert.Contains("PrimarySlave=yes\n", Read("20-appliance-eth1.network"), StringComparison.Ordinal);
        Assert.DoesNotContain("PrimarySlave", Read("20-appliance-eth2.network"), StringComparison.Ordinal);
        Assert.Contains("Name=mgmt\n\n[Network]\nDescription=appliance management interface\nDHCP=yes\n", Read("10-appliance.network"), StringComparison.Ordinal);
        Assert.Contains("VLAN=mgmt\nVLAN=ext\n", Read("20-appliance-bond0.network"), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(NetworkDir, "10-appliance-eth1.link")), "no LINK: no .link file");
    }

    [Fact]
    public async Task BadNetworkLines_AreReportedWithTheirLine_AndSkippedWithWhatDependsOnThem()
    {
        var result = await ApplyAsync("""
            LINK=ext0 52:54:00:zz:00:01
            LINK=ext1 pci-0000:03:00.1
            LINK=ext9 pci-0000:03:00.1
            BOND=bond0 round-robin ext0 ext1
            BOND=bond1 802.3ad ext1
            BOND=bond2 802.3ad ext1 eth3
            BOND=bond3 active-backup eth3 eth4
            VLAN=v1 bond2 4095
            VLAN=v2 eth4 20
            VLAN=v3 bond0 30
            TRAFFIC=v3 198.18.1.11/24
            TRAFFIC=eth4 198.18.2.11/24
            CLUSTER=ha0
            CLUSTER=ha1 198.19.0.1/30 198.19.0.2
            CLUSTER=eth5 198.19.0.1/30
            CLUSTER=eth6 198.19.0.5/30
            TRAFFIC=ext1 198.18.3.11/24
            VLAN=this-name-is-too-long bond2 5
            TRAFFIC=bond2 10.0.0.1
            TRAFFIC=bond2 198.18.4.11/24
            """);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var expected in new[]
        {
            ":1: LINK ext0 needs one MAC address", ":3: LINK ext9: pci-0000:03:00.1 is already named ext1", ":4: BOND bond0: mode must be",
            ":5: BOND bond1 needs two NICs", ":7: BOND bond3: eth3 is already in another bond", ":8: VLAN v1: the VLAN ID must be 1..4094",
            ":10: VLAN v3: its parent bond0 was skipped above", ":11: v3 was skipped above", ":13: CLUSTER ha0 needs the link's address",
            ":14: CLUSTER ha1 takes no gateway", ":16: CLUSTER is already eth5", ":17: ext1 is in bond bond2: addresses go on the bond",
            ":18: VLAN needs an interface name", ":19: TRAFFIC bond2: '10.0.0.1' needs address/prefix",
        })
        {
            Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        }

        // bond3 was skipped, so eth4 is a plain NIC: its VLAN and address stand.
        Assert.Contains("Name=eth4\n", Read("20-appliance-eth4.network"), StringComparison.Ordinal);
        Assert.Contains("Address=198.18.2.11/24\n", Read("20-appliance-eth4.network"), StringComparison.Ordinal);
        Assert.Contains("VLAN=v2\n", Read("20-appliance-eth4.network"), StringComparison.Ordinal);
        Assert.Contains("Bond=bond2\n", Read("20-appliance-ext1.network"), StringComparison.Ordinal);
        Assert.Contains("Address=198.18.4.11/24\n", Read("20-appliance-bond2.network"), StringComparison.Ordinal);
        Assert.Contains("Address=198.19.0.1/30\n", Read("20-appliance-eth5.network"), StringComparison.Ordinal);
        foreach (var gone in new[] { "20-appliance-bond0.netdev", "20-appliance-bond1.netdev", "20-appliance-bond3.netdev", "20-appliance-v1.netdev", "20-appliance-v3.netdev", "20-appliance-v3.network", "20-appliance-eth6.network", "10-appliance-ext0.link", "10-appliance-ext9.link" })
        {
            Assert.False(File.Exists(Path.Combine(NetworkDir, gone)), $"{gone} should have been skipped\n{result}");
        }
    }

    [Fact]
    public async Task ALaterFile_ReplacesTheSetItWrote_AndLeavesTheOperatorsOwnFiles()
    {
        await ApplyAsync(Server);
        File.WriteAllText(Path.Combine(NetworkDir, "30-operator.network"), "[Match]\nName=eth9\n");

        var result = await ApplyAsync("TRAFFIC=eth1 198.18.1.12/24\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["10-appliance.network", "20-appliance-eth1.network", "30-operator.network"], Written());
        Assert.Contains("Name=eth0\n", Read("10-appliance.network"), StringComparison.Ordinal); // management: eth0, DHCP
        Assert.Contains("DHCP=yes\n", Read("10-appliance.network"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExampleFile_ItsServerLinesApplyWithoutAWarning()
    {
        // The example's lines after its server heading, uncommented, as an operator would.
        var example = File.ReadAllLines(Repo.Path("appliance", "examples", "appliance-firstboot.conf"));
        var server = example.SkipWhile(l => !l.Contains("A server with several NICs", StringComparison.Ordinal))
            .Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, "^#[A-Z_]+="))
            .Select(l => l[1..])
            .ToList();
        Assert.Contains(server, l => l.StartsWith("BOND=", StringComparison.Ordinal));

        var result = await ApplyAsync(string.Join('\n', server));

        Assert.True(result.ExitCode == 0 && !result.Stderr.Contains("WARNING", StringComparison.Ordinal), result.ToString());
        Assert.Contains("20-appliance-bond0.netdev", Written());
    }

    [NetworkdFact]
    public async Task GeneratedFiles_PassNetworkdsAndUdevsParsers()
    {
        await ApplyAsync(Server);
        var lacp = await Networkd.ParseAsync(NetworkDir);
        await ApplyAsync("BOND=bond0 active-backup eth1 eth2\nVLAN=mgmt bond0 10\nINTERFACE=mgmt\nTRAFFIC=bond0 198.18.2.11/24\n");
        var activeBackup = await Networkd.ParseAsync(NetworkDir);

        Assert.True(lacp.Complaints.Count == 0, string.Join('\n', lacp.Complaints) + "\n---\n" + lacp.Output);
        Assert.True(activeBackup.Complaints.Count == 0, string.Join('\n', activeBackup.Complaints) + "\n---\n" + activeBackup.Output);
    }

    [NetworkdFact]
    public async Task Parsers_CatchAMistake_SoThePassAboveMeansSomething()
    {
        await ApplyAsync(Server);
        var netdev = Path.Combine(NetworkDir, "20-appliance-ext100.netdev");
        File.WriteAllText(netdev, File.ReadAllText(netdev).Replace("Id=100", "Id=5000", StringComparison.Ordinal));
        var link = Path.Combine(NetworkDir, "10-appliance-ext0.link");
        File.WriteAllText(link, File.ReadAllText(link).Replace("Name=ext0", "Name=ext0\nNmae=ext0", StringComparison.Ordinal));

        var (complaints, output) = await Networkd.ParseAsync(NetworkDir);

        Assert.Contains(complaints, c => c.Contains("20-appliance-ext100.netdev", StringComparison.Ordinal));
        Assert.True(complaints.Any(c => c.Contains("10-appliance-ext0.link", StringComparison.Ordinal) && c.Contains("Nmae", StringComparison.Ordinal)), output);
    }
}

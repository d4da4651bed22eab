namespace Appliance.Image.Tests;

/// <summary>
/// /usr/lib/appliance/firstboot against a temporary root (APPLIANCE_ROOT): the first-boot file,
/// the generated secrets, and what happens to bad values.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FirstbootTests : IDisposable
{
    private static readonly string Script = Repo.Path("appliance", "files", "usr", "lib", "appliance", "firstboot");
    private readonly string _root = Directory.CreateTempSubdirectory("appliance-firstboot-").FullName;

    public FirstbootTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc", "appliance"));
        Directory.CreateDirectory(Path.Combine(_root, "boot", "efi"));
        File.WriteAllText(Path.Combine(_root, "etc", "hosts"), "127.0.0.1\tlocalhost\n127.0.1.1\tappliance\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Etc(params string[] parts) => Path.Combine([_root, "etc", .. parts]);

    private Task<Tool.Result> RunAsync() =>
        Tool.RunAsync("bash", [Script], environment: new Dictionary<string, string?> { ["APPLIANCE_ROOT"] = _root });

    [Fact]
    public async Task NoFile_GeneratesTokenAndClusterKey_ReadableByTheServiceGroupOnly()
    {
        var result = await RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var token = File.ReadAllText(Etc("appliance", "admin.token")).Trim();
        Assert.Matches("^[0-9a-f]{64}$", token);
        var key = Convert.FromBase64String(File.ReadAllText(Etc("appliance", "cluster.key")).Trim());
        Assert.Equal(32, key.Length);
        foreach (var secret in new[] { "admin.token", "cluster.key" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Etc("appliance", secret)));
        }

        Assert.False(File.Exists(Etc("systemd", "network", "10-appliance.network")), "no file: the image's DHCP default stays");
    }

    [Fact]
    public async Task SecondRun_KeepsTheSecrets()
    {
        await RunAsync();
        var token = File.ReadAllText(Etc("appliance", "admin.token"));
        var key = File.ReadAllText(Etc("appliance", "cluster.key"));

        var result = await RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(token, File.ReadAllText(Etc("appliance", "admin.token")));
        Assert.Equal(key, File.ReadAllText(Etc("appliance", "cluster.key")));
    }

    [Fact]
    public async Task File_OnTheEfiPartition_IsAppliedOnceAndRemoved()
    {
        var key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var file = Path.Combine(_root, "boot", "efi", "appliance-firstboot.conf");
        File.WriteAllText(file, $"""
            # written by the operator
            HOSTNAME=lb1
            ADDRESS=198.18.0.11/24
            GATEWAY="198.18.0.1"
            DNS=198.18.0.53 198.18.0.54
            ADMIN_TOKEN=0123456789abcdef-operator
            CLUSTER_KEY={key}
            """.ReplaceLineEndings("\r\n")); // written on Windows: CRLF is accepted

        var result = await RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(File.Exists(file), "the file may hold secrets: it must be gone once applied");
        Assert.Equal("lb1", File.ReadAllText(Etc("hostname")).Trim());
        Assert.Contains("127.0.1.1\tlb1", File.ReadAllText(Etc("hosts")), StringComparison.Ordinal);
        Assert.DoesNotContain("appliance", File.ReadAllText(Etc("hosts")), StringComparison.Ordinal);
        var network = File.ReadAllText(Etc("systemd", "network", "10-appliance.network"));
        Assert.Contains("Name=eth0\n", network, StringComparison.Ordinal);
        Assert.Contains("Address=198.18.0.11/24\n", network, StringComparison.Ordinal);
        Assert.Contains("Gateway=198.18.0.1\n", network, StringComparison.Ordinal);
        Assert.Contains("DNS=198.18.0.53\nDNS=198.18.0.54\n", network, StringComparison.Ordinal);
        Assert.Equal("0123456789abcdef-operator", File.ReadAllText(Etc("appliance", "admin.token")).Trim());
        Assert.Equal(key, File.ReadAllText(Etc("appliance", "cluster.key")).Trim());
        Assert.DoesNotContain("0123456789abcdef-operator", result.Output, StringComparison.Ordinal); // secrets never reach the log
    }

    [Fact]
    public async Task BadValues_AreReportedWithTheLine_AndSkipped_TheRestApplies()
    {
        File.WriteAllText(Path.Combine(_root, "etc", "appliance", "firstboot.conf"), """
            HOSTNAME=bad_name!
            ADDRESS=198.18.0.300/24
            GATEWAY=gateway
            DNS=198.18.0.53 nameserver
            CLUSTER_KEY=c2hvcnQ=
            ADMIN_TOKEN=short
            COLOUR=blue
            just text
            INTERFACE=eth1
            """);

        var result = await RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var expected in new[] { ":1: HOSTNAME", ":2: ADDRESS", ":3: GATEWAY", ":4: DNS", ":5: CLUSTER_KEY", ":6: ADMIN_TOKEN", ":7: unknown key COLOUR", ":8: not KEY=VALUE" })
        {
            Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Etc("systemd", "network", "10-appliance.network")), "no valid address: DHCP stays");
        Assert.False(File.Exists(Etc("hostname")));
        Assert.Matches("^[0-9a-f]{64}$", File.ReadAllText(Etc("appliance", "admin.token")).Trim()); // generated instead
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(Etc("appliance", "cluster.key")).Trim()).Length);
    }
}

namespace Appliance.Image.Tests;

/// <summary>
/// The units as systemd reads them: <c>systemd-analyze verify</c> and <c>security</c> against a
/// temporary root holding the appliance's files, the host's own systemd units and the published
/// applianced (verify checks that ExecStart= programs exist).
/// </summary>
[Collection(PublishedCollection.Name)]
public sealed class SystemdUnitTests(PublishedAppliance published) : IDisposable
{
    private static readonly string Units = Repo.Path("appliance", "files", "usr", "lib", "systemd", "system");
    private readonly string _root = Directory.CreateTempSubdirectory("appliance-units-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void BuildRoot()
    {
        CopyTree("/usr/lib/systemd/system", Path.Combine(_root, "usr/lib/systemd/system"));
        CopyTree(Repo.Path("appliance", "files"), _root);
        Directory.CreateDirectory(Path.Combine(_root, "opt/appliance"));
        File.Copy(Path.Combine(published.Directory, "applianced"), Path.Combine(_root, "opt/appliance/applianced"));
        Directory.CreateDirectory(Path.Combine(_root, "bin"));
        File.Copy(Tool.Find("kill") ?? "/bin/kill", Path.Combine(_root, "bin/kill"));
    }

    [ToolFact("systemd-analyze", "systemd")]
    public async Task Units_PassSystemdAnalyzeVerify_WithoutAWarning()
    {
        BuildRoot();

        var result = await Tool.RunAsync("systemd-analyze", ["verify", $"--root={_root}", "--man=no", "applianced.service", "appliance-firstboot.service"]);

        // verify exits 0 even for unknown keys or bad values; it only warns, so any output fails.
        Assert.True(result.ExitCode == 0 && result.Output.Trim().Length == 0, result.ToString());
    }

    [ToolFact("systemd-analyze", "systemd")]
    public async Task Verify_CatchesAMistake_SoThePassAboveMeansSomething()
    {
        BuildRoot();
        var unit = Path.Combine(_root, "usr/lib/systemd/system/applianced.service");
        File.WriteAllText(unit, File.ReadAllText(unit).Replace("ProtectSystem=strict", "ProtectSystem=sometimes", StringComparison.Ordinal));

        var result = await Tool.RunAsync("systemd-analyze", ["verify", $"--root={_root}", "--man=no", "applianced.service"]);

        Assert.Contains("applianced.service", result.Output, StringComparison.Ordinal);
        Assert.Contains("sometimes", result.Output, StringComparison.Ordinal);
    }

    [ToolFact("systemd-analyze", "systemd")]
    public async Task Applianced_ExposureStaysLow()
    {
        BuildRoot();

        // systemd's own exposure score (0 best, 10 worst); the unit scores about 2.1. (Read from
        // the text: systemd 252's --threshold exit code is not usable.)
        var result = await Tool.RunAsync("systemd-analyze", ["security", "--offline=yes", $"--root={_root}", "applianced.service"]);

        var match = System.Text.RegularExpressions.Regex.Match(result.Output, @"Overall exposure level for applianced\.service: (\d+\.\d+)");
        Assert.True(result.ExitCode == 0 && match.Success, result.ToString());
        var exposure = double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(exposure <= 3.0, $"exposure {exposure} (above 3.0): a hardening setting was lost\n{result.Output}");
    }

    [Fact]
    public void Applianced_RunsAsItsOwnUser_WithOnlyTheNetworkCapabilities()
    {
        var unit = Settings(File.ReadAllLines(Path.Combine(Units, "applianced.service")));

        Assert.Equal("appliance", unit["User"].Single());
        Assert.Equal("CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE", unit["AmbientCapabilities"].Single());
        Assert.Equal("CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE", unit["CapabilityBoundingSet"].Single());
        Assert.Equal("notify", unit["Type"].Single());
        Assert.Equal("on-failure", unit["Restart"].Single());
        Assert.Contains("-HUP", unit["ExecReload"].Single(), StringComparison.Ordinal);
        foreach (var (key, value) in new[] { ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"), ("StateDirectory", "appliance") })
        {
            Assert.Equal(value, unit[key].Single());
        }

        var sysusers = File.ReadAllText(Repo.Path("appliance", "files", "usr", "lib", "sysusers.d", "appliance.conf"));
        Assert.Matches(@"(?m)^u appliance ", sysusers);
    }

    [Fact]
    public void SysctlDropIn_NamesOnlySettingsTheKernelHas()
    {
        var lines = File.ReadAllLines(Repo.Path("appliance", "files", "usr", "lib", "sysctl.d", "60-appliance.conf"))
            .Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'))
            .ToList();
        var keys = lines.Select(l => l.Split('=')[0].Trim()).ToList();

        Assert.Contains("net.ipv4.ip_nonlocal_bind", keys);
        Assert.Contains("net.ipv4.conf.all.arp_ignore", keys);
        Assert.Contains("net.ipv4.conf.all.arp_announce", keys);
        foreach (var key in keys)
        {
            // A misspelt key is only a warning at boot; here it fails.
            Assert.True(File.Exists("/proc/sys/" + key.Replace('.', '/')), $"{key} is not a kernel setting here (/proc/sys)");
        }
    }

    private static Dictionary<string, List<string>> Settings(IEnumerable<string> lines) =>
        lines.Select(l => l.Trim())
            .Where(l => l.Length > 0 && l[0] is not ('#' or '[') && l.Contains('=', StringComparison.Ordinal))
            .GroupBy(l => l[..l.IndexOf('=', StringComparison.Ordinal)])
            .ToDictionary(g => g.Key, g => g.Select(l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]).ToList());

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            var info = new FileInfo(file);
            if (info.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link); // units aliased by symlinks stay links
            }
            else
            {
                File.Copy(file, target, overwrite: true);
            }
        }
    }
}

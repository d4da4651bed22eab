namespace Appliance.Image.Tests;

/// <summary>The Packer template and the Vagrantfile, as their own tools read them.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TemplateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("appliance-templates-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [ToolFact("packer", "packer")]
    public async Task PackerTemplate_Validates_FromAnyFolder()
    {
        // Run from elsewhere: the template finds the repository from its own location.
        var result = await Tool.RunAsync("packer", ["validate", Repo.Path("packer", "appliance.pkr.hcl")], workingDirectory: _dir,
            environment: new Dictionary<string, string?> { ["CHECKPOINT_DISABLE"] = "1", ["PACKER_CACHE_DIR"] = Path.Combine(_dir, "cache") });

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    /// <summary>
    /// The local source appliance/test-packer.sh uses: build-base.sh's image with its
    /// SHA512SUMS, software emulation, the build VM numbered from 198.18.0.0/15 and Packer's
    /// HTTP server (the cloud-init data) at that network's host address.
    /// </summary>
    [ToolFact("packer", "packer")]
    public async Task PackerTemplate_TakesTheLocalBaseImage()
    {
        var image = Path.Combine(_dir, "debian-12-base.qcow2");
        File.WriteAllText(image, "not really an image");
        File.WriteAllText(Path.Combine(_dir, "SHA512SUMS"), new string('0', 128) + "  debian-12-base.qcow2\n");
        string[] local = ["-var", $"source_image={image}", "-var", $"source_checksum=file:{_dir}/SHA512SUMS", "-var", "accelerator=tcg", "-var", "guest_network=198.18.20.0/24"];

        var validate = await Packer(["validate", .. local, Repo.Path("packer", "appliance.pkr.hcl")]);
        var httpHost = await Packer(["console", .. local, Repo.Path("packer", "appliance.pkr.hcl")], "local.http_host\n");
        var defaultHost = await Packer(["console", Repo.Path("packer", "appliance.pkr.hcl")], "local.http_host\n");

        Assert.True(validate.ExitCode == 0, validate.ToString());
        Assert.DoesNotContain("checksum of 'none'", validate.Output, StringComparison.Ordinal);
        Assert.Equal("198.18.20.2", httpHost.Stdout.Trim());
        Assert.Equal("10.0.2.2", defaultHost.Stdout.Trim()); // QEMU's own user network where nothing is set
        var template = File.ReadAllText(Repo.Path("packer", "appliance.pkr.hcl"));
        Assert.Contains("net=${var.guest_network},hostfwd=tcp::{{ .SSHHostPort }}-:22", template, StringComparison.Ordinal);
    }

    private Task<Tool.Result> Packer(string[] args, string? input = null) =>
        Tool.RunAsync("packer", args, workingDirectory: _dir, input: input,
            environment: new Dictionary<string, string?> { ["CHECKPOINT_DISABLE"] = "1", ["PACKER_CACHE_DIR"] = Path.Combine(_dir, "cache") });

    [ToolFact("packer", "packer")]
    public async Task PackerValidate_CatchesAMistake_SoThePassAboveMeansSomething()
    {
        var broken = Path.Combine(Repo.Root, "packer", $"broken-{Guid.NewGuid():N}.pkr.hcl");
        File.WriteAllText(broken, File.ReadAllText(Repo.Path("packer", "appliance.pkr.hcl")).Replace("disk_image       = true", "disk_image       = \"maybe\"", StringComparison.Ordinal));
        try
        {
            var result = await Tool.RunAsync("packer", ["validate", broken], workingDirectory: _dir,
                environment: new Dictionary<string, string?> { ["CHECKPOINT_DISABLE"] = "1" });

            Assert.NotEqual(0, result.ExitCode);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    /// <summary>
    /// <c>vagrant validate --ignore-provider</c>: everything but the provider blocks. Run on a
    /// copy, so Vagrant's state folder is made in a temporary folder, not in the repository. By
    /// default the appliance box: the two balancers only (backends on their loopback), and the
    /// pair's key made in out/ (its "file" provisioner needs it whenever Vagrant reads the file).
    /// </summary>
    [ToolFact("vagrant", "vagrant")]
    public async Task Vagrantfile_Validates_WithTheApplianceBox()
    {
        File.Copy(Repo.Path("Vagrantfile"), Path.Combine(_dir, "Vagrantfile"));

        var result = await Vagrant(null, "validate", "--ignore-provider");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("validated successfully", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("==> lb1:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("==> lb2:", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("backend1", result.Stdout, StringComparison.Ordinal);
        var key = Path.Combine(_dir, "out", "vagrant", "cluster.key");
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(key).Trim()).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        var vagrantfile = File.ReadAllText(Repo.Path("Vagrantfile"));
        Assert.Contains("out\", \"vagrant\", \"appliance.box\"", vagrantfile, StringComparison.Ordinal);
        Assert.Contains("config.vm.box_url = \"file://", vagrantfile, StringComparison.Ordinal);
    }

    /// <summary>With internet: a Debian box, provisioned, and two backend VMs; nothing made by validating.</summary>
    [ToolFact("vagrant", "vagrant")]
    public async Task Vagrantfile_Validates_WithADebianBox()
    {
        File.Copy(Repo.Path("Vagrantfile"), Path.Combine(_dir, "Vagrantfile"));

        var result = await Vagrant(new() { ["APPLIANCE_VAGRANT_BOX"] = "debian/bookworm64" }, "validate", "--ignore-provider");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var machine in new[] { "lb1", "lb2", "backend1", "backend2" })
        {
            Assert.Contains($"==> {machine}:", result.Stdout, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(_dir, "out", "vagrant", "cluster.key")), "validating must not make the pair's key");
    }

    /// <summary>The libvirt block too (domain type qemu, CPU mode maximum, networks from 198.18.0.0/15), as vagrant-libvirt reads it.</summary>
    [VagrantLibvirtFact]
    public async Task Vagrantfile_Validates_WithTheLibvirtProvider()
    {
        File.Copy(Repo.Path("Vagrantfile"), Path.Combine(_dir, "Vagrantfile"));

        var result = await Vagrant(null, "validate");

        Assert.True(result.ExitCode == 0, result.ToString());
        var vagrantfile = File.ReadAllText(Repo.Path("Vagrantfile"));
        Assert.Contains("\"APPLIANCE_VAGRANT_MGMT_NET\", \"198.18.1.0/24\"", vagrantfile, StringComparison.Ordinal);
        Assert.Contains("\"APPLIANCE_VAGRANT_NET\", \"198.18.0\"", vagrantfile, StringComparison.Ordinal);
    }

    [ToolFact("vagrant", "vagrant")]
    public async Task VagrantValidate_CatchesAMistake_SoThePassAboveMeansSomething()
    {
        File.WriteAllText(Path.Combine(_dir, "Vagrantfile"), File.ReadAllText(Repo.Path("Vagrantfile")).Replace("node.vm.hostname = name", "node.vm.hostnme = name", StringComparison.Ordinal));

        var result = await Vagrant(null, "validate", "--ignore-provider");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("hostnme", result.Output, StringComparison.Ordinal);
    }

    private Task<Tool.Result> Vagrant(Dictionary<string, string?>? environment, params string[] args)
    {
        var env = new Dictionary<string, string?>(environment ?? []) { ["VAGRANT_HOME"] = Path.Combine(_dir, "home"), ["VAGRANT_CHECKPOINT_DISABLE"] = "1" };
        return Tool.RunAsync("vagrant", args, workingDirectory: _dir, environment: env, timeoutSeconds: 180);
    }
}

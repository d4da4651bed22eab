namespace Appliance.Image.Tests;

/// <summary>The files the image ships besides the binaries: default configuration and scripts.</summary>
[Collection(PublishedCollection.Name)]
public sealed class ShippedFilesTests(PublishedAppliance published) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("appliance-shipped-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task DefaultConfiguration_IsValid_WithTheTokenFirstBootMakes()
    {
        // The shipped file names /etc/appliance/admin.token; point it at a token made here.
        var token = Path.Combine(_dir, "admin.token");
        File.WriteAllText(token, "0123456789abcdef0123456789abcdef\n");
        var shipped = File.ReadAllText(Repo.Path("appliance", "files", "etc", "appliance", "appliance.json"));
        Assert.Contains("\"TokenFile\": \"/etc/appliance/admin.token\"", shipped, StringComparison.Ordinal);
        var config = Path.Combine(_dir, "appliance.json");
        File.WriteAllText(config, shipped.Replace("/etc/appliance/admin.token", token, StringComparison.Ordinal));

        var result = await Tool.RunAsync(Path.Combine(published.Directory, "applianced"), ["validate", "--config", config]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Completion_IsPrintedByThePublishedCli()
    {
        var result = await Tool.RunAsync(Path.Combine(published.Directory, "appliancectl"), ["completion", "bash"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("complete ", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("appliance/publish.sh")]
    [InlineData("appliance/provision.sh")]
    [InlineData("appliance/build-image.sh")]
    [InlineData("appliance/test-image.sh")]
    [InlineData("appliance/build-base.sh")]
    [InlineData("appliance/test-packer.sh")]
    [InlineData("appliance/build-box.sh")]
    [InlineData("appliance/test-vagrant.sh")]
    [InlineData("appliance/files/usr/lib/appliance/firstboot")]
    [InlineData("appliance/files/usr/lib/appliance/firstboot-network")]
    public async Task Script_Parses_AndRefusesUnknownArguments(string script)
    {
        var syntax = await Tool.RunAsync("bash", ["-n", Repo.Path(script)]);
        Assert.True(syntax.ExitCode == 0, syntax.ToString());
        if (script.EndsWith(".sh", StringComparison.Ordinal) && !script.EndsWith("publish.sh", StringComparison.Ordinal))
        {
            var result = await Tool.RunAsync("bash", [Repo.Path(script), "--no-such-option"]);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("--no-such-option", result.Stderr, StringComparison.Ordinal);
        }
    }
}

using System.Reflection.PortableExecutable;

namespace Appliance.Image.Tests;

/// <summary>
/// The binaries the image ships: self-contained (they run where no .NET is installed) and
/// ReadyToRun (precompiled, for a fast start).
/// </summary>
[Collection(PublishedCollection.Name)]
public sealed class PublishedOutputTests(PublishedAppliance published)
{
    [Theory]
    [InlineData("applianced", "run")]
    [InlineData("appliancectl", "status")]
    public async Task Binary_RunsHelp_WithNoDotnetAnywhereInItsEnvironment(string program, string expectedCommand)
    {
        var path = Path.Combine(published.Directory, program);
        Assert.True(File.Exists(path), $"{program} missing from {published.Directory}");
        var emptyPath = Directory.CreateTempSubdirectory("no-dotnet-").FullName;
        try
        {
            // Nothing but an empty PATH: no dotnet to find, no DOTNET_ROOT, no SDK variables.
            var result = await Tool.RunAsync(path, ["--help"], workingDirectory: emptyPath,
                environment: new Dictionary<string, string?> { ["PATH"] = emptyPath, ["HOME"] = emptyPath },
                clearEnvironment: true, timeoutSeconds: 60);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains(expectedCommand, result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(emptyPath);
        }
    }

    [Fact]
    public void Output_CarriesItsOwnRuntime_OnceForBothPrograms()
    {
        var files = Directory.GetFiles(published.Directory).Select(Path.GetFileName).ToHashSet();

        Assert.Contains("libhostfxr.so", files);
        Assert.Contains("libcoreclr.so", files);
        Assert.Contains("Microsoft.AspNetCore.Server.Kestrel.Core.dll", files);
        Assert.Contains("applianced.runtimeconfig.json", files);
        Assert.Contains("appliancectl.runtimeconfig.json", files);
        var runtimeConfig = File.ReadAllText(Path.Combine(published.Directory, "applianced.runtimeconfig.json"));
        Assert.Contains("includedFrameworks", runtimeConfig, StringComparison.Ordinal); // self-contained, not framework-dependent
    }

    [Theory]
    [InlineData("applianced.dll")]
    [InlineData("appliancectl.dll")]
    [InlineData("Appliance.Proxy.dll")]
    [InlineData("Appliance.Cluster.dll")]
    public void Assemblies_AreReadyToRun(string assembly)
    {
        using var stream = File.OpenRead(Path.Combine(published.Directory, assembly));
        using var reader = new PEReader(stream);

        // ReadyToRun code is announced by the CLI header's managed native header.
        Assert.True(reader.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{assembly} has no ReadyToRun code");
    }
}

using Appliance.Core.Configuration;

namespace Appliance.Tests.Configuration;

/// <summary>The shipped example files must stay valid as the schema evolves.</summary>
public sealed class ExampleFilesTests
{
    private static string ExamplesDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Appliance.sln")))
            {
                return Path.Combine(directory.FullName, "appliance", "examples");
            }
        }

        throw new InvalidOperationException($"No Appliance.sln above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void LoadFile_MinimalExample_Loads()
    {
        var result = ConfigLoader.LoadFile(Path.Combine(ExamplesDirectory(), "minimal.json"));

        Assert.Empty(result.Errors);
        Assert.NotNull(result.Config);
    }

    [Fact]
    public void LoadFile_FullExample_FailsAtMostOnMissingCertificateAndTokenFiles()
    {
        var result = ConfigLoader.LoadFile(Path.Combine(ExamplesDirectory(), "appliance.json"));

        // The certificate and token paths point into /etc/appliance, which exists only on an appliance.
        Assert.All(result.Errors, error =>
        {
            Assert.Matches(@"(\.Certificates\[\d+\]\.(Certificate|Key)|^\$\.Admin\.TokenFile)$", error.Path);
            Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        });
    }
}

namespace Appliance.Image.Tests;

/// <summary>
/// The self-contained linux-x64 output of appliance/publish.sh, made once per test run.
/// scripts/test.sh publishes before the tests and passes the folder in APPLIANCE_PUBLISH_DIR;
/// without it (a focused run) the fixture publishes into a temporary folder itself.
/// </summary>
public sealed class PublishedAppliance : IAsyncLifetime
{
    public const string Variable = "APPLIANCE_PUBLISH_DIR";

    private string? _temporary;

    public string Directory { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            Directory = given;
            return;
        }

        _temporary = System.IO.Directory.CreateTempSubdirectory("appliance-publish-").FullName;
        var result = await Tool.RunAsync("bash", [Repo.Path("appliance", "publish.sh"), _temporary], timeoutSeconds: 900);
        Assert.True(result.ExitCode == 0, $"appliance/publish.sh failed: {result}");
        Directory = _temporary;
    }

    public Task DisposeAsync()
    {
        if (_temporary is not null)
        {
            System.IO.Directory.Delete(_temporary, recursive: true);
        }

        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class PublishedCollection : ICollectionFixture<PublishedAppliance>
{
    public const string Name = "published appliance";
}

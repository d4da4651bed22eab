namespace Appliance.Tests.Support;

/// <summary>One <see cref="AdminNode"/> (token file set, no config file) shared by a test class.</summary>
public sealed class AdminNodeFixture : IAsyncLifetime
{
    internal AdminNode Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await AdminNode.StartAsync();

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

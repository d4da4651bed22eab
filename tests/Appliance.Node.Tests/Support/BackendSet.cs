using Appliance.Node.Demo;

namespace Appliance.Tests.Support;

/// <summary>Several real Kestrel backends on loopback, named backend-1..N, stopped together.</summary>
internal sealed class BackendSet : IAsyncDisposable
{
    private BackendSet(IReadOnlyList<DemoBackend> backends) => All = backends;

    public IReadOnlyList<DemoBackend> All { get; }

    public DemoBackend this[int index] => All[index];

    public DemoBackend ByName(string name) => All.Single(b => b.Name == name);

    public static async Task<BackendSet> StartAsync(int count)
    {
        var backends = new List<DemoBackend>();
        for (var i = 1; i <= count; i++)
        {
            backends.Add(await DemoBackend.StartAsync($"backend-{i}"));
        }

        return new BackendSet(backends);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var backend in All)
        {
            await backend.DisposeAsync();
        }
    }
}

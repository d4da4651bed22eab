using System.Text.Json.Nodes;
using Appliance.Node.Demo;
using Appliance.Tests.Support;

namespace Appliance.Tests.Http;

/// <summary>
/// Retry on another backend after a failed connect: idempotent requests without a body are
/// retried (Balancing.Clusters.web.Retries, default 1); requests with a body never are.
/// </summary>
public sealed class RetryTests : IDisposable
{
    private readonly HttpTestHelpers.RefusingPort _deadPort = new();

    public void Dispose() => _deadPort.Dispose();

    /// <summary>
    /// A config whose cluster "web" holds, in this order, the given destinations: "dead" is a
    /// loopback port that refuses connections, the other a live backend.
    /// </summary>
    private JsonObject Config(DemoBackend? live, bool withDead, bool deadFirst = true)
    {
        var config = TestConfig.Create(FreePort.Next(), []);
        var destinations = config.Cluster()["Destinations"]!.AsObject();
        var dead = new JsonObject { ["Address"] = _deadPort.Url.ToString() };
        if (withDead && deadFirst)
        {
            destinations["dead"] = dead;
        }

        if (live is not null)
        {
            destinations[live.Name] = new JsonObject { ["Address"] = live.Url.ToString() };
        }

        if (withDead && !deadFirst)
        {
            destinations["dead"] = dead;
        }

        return config;
    }

    private static async Task<int> PostAsync(HttpClient client)
    {
        using var content = new StringContent("payload that must not be replayed");
        using var response = await client.PostAsync(new Uri("/echo", UriKind.Relative), content);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task Get_OneDestinationRefusesConnections_AllServedByRetry()
    {
        await using var backends = await BackendSet.StartAsync(1);
        await using var node = await TestNode.StartAsync(Config(backends[0], withDead: true, deadFirst: false));
        using var client = node.NewClient();

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal((200, "backend-1"), await TestNode.GetAsync(client, $"/r{i}"));
        }

        var dead = node.Registry.Find("web")!.Find("dead")!.Counters;
        Assert.True(dead.Retries > 0, "no retry was counted on the dead destination");
        Assert.Equal(dead.Retries, dead.TransportErrors);
        Assert.Equal(20, backends[0].Requests);
    }

    [Fact]
    public async Task Post_OnlyDestinationRefusesConnections_502()
    {
        await using var node = await TestNode.StartAsync(Config(live: null, withDead: true));
        using var client = node.NewClient();

        Assert.Equal(502, await PostAsync(client));
        Assert.Equal(0, node.Registry.Find("web")!.Find("dead")!.Counters.Retries);
    }

    [Fact]
    public async Task Get_OnlyDestinationRefusesConnections_502AndNoRetryCounted()
    {
        await using var node = await TestNode.StartAsync(Config(live: null, withDead: true));
        using var client = node.NewClient();

        var (status, _) = await TestNode.GetAsync(client);

        // Nowhere else to send it: the client sees the backend failure (502), not "no backend" (503).
        Assert.Equal(502, status);
        var dead = node.Registry.Find("web")!.Find("dead")!.Counters;
        Assert.Equal(0, dead.Retries);
        Assert.Equal(1, dead.TransportErrors);
    }

    [Fact]
    public async Task Post_WithBodyDeadDestinationFirst_NeverRetried()
    {
        await using var backends = await BackendSet.StartAsync(1);
        await using var node = await TestNode.StartAsync(Config(backends[0], withDead: true, deadFirst: true));
        using var client = node.NewClient();

        var statuses = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add(await PostAsync(client));
        }

        Assert.Contains(502, statuses);
        Assert.All(statuses, s => Assert.True(s is 200 or 502, $"unexpected status {s}"));
        Assert.Equal(statuses.Count(s => s == 200), backends[0].Requests);
        var dead = node.Registry.Find("web")!.Find("dead")!.Counters;
        Assert.Equal(0, dead.Retries);
        Assert.Equal(statuses.Count(s => s == 502), dead.TransportErrors);
    }

    [Fact]
    public async Task Get_RetriesZero_RequestsToDeadDestinationFailWith502()
    {
        await using var backends = await BackendSet.StartAsync(1);
        var config = Config(backends[0], withDead: true);
        config.Balancing()["Retries"] = 0;
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();

        var results = new List<(int Status, string? Backend)>();
        for (var i = 0; i < 10; i++)
        {
            results.Add(await TestNode.GetAsync(client));
        }

        Assert.Contains((502, null), results);
        Assert.All(results, r => Assert.True(r == (502, null) || r == (200, "backend-1"), $"unexpected {r}"));
        Assert.Equal(0, node.Registry.Find("web")!.Find("dead")!.Counters.Retries);
    }
}

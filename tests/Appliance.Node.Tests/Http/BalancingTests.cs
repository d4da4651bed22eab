using Appliance.Core.Configuration;
using Appliance.Tests.Support;

namespace Appliance.Tests.Http;

/// <summary>Each algorithm over real backends, through a real node.</summary>
public sealed class BalancingTests
{
    private static async Task<Dictionary<string, int>> CountAsync(HttpClient client, int requests, Func<int, string>? path = null)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < requests; i++)
        {
            var (status, backend) = await TestNode.GetAsync(client, path?.Invoke(i) ?? "/");
            Assert.Equal(200, status);
            counts[backend!] = counts.GetValueOrDefault(backend!) + 1;
        }

        return counts;
    }

    [Fact]
    public async Task RoundRobin_EqualWeights_SpreadsExactlyEvenly()
    {
        await using var backends = await BackendSet.StartAsync(3);
        await using var node = await TestNode.StartAsync(TestConfig.Create(FreePort.Next(), backends.All, "RoundRobin"));
        using var client = node.NewClient();

        var counts = await CountAsync(client, 300);

        Assert.All(backends.All, b => Assert.Equal(100, counts[b.Name]));
    }

    [Fact]
    public async Task RoundRobin_Weights1To2To3_SharesFollowWeightsWithoutBursts()
    {
        await using var backends = await BackendSet.StartAsync(3);
        var config = TestConfig.Create(FreePort.Next(), backends.All, "WeightedRoundRobin")
            .WithMetadata("backend-1", "Weight", "1")
            .WithMetadata("backend-2", "Weight", "2")
            .WithMetadata("backend-3", "Weight", "3");
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();

        var sequence = new List<string>();
        for (var i = 0; i < 600; i++)
        {
            sequence.Add((await TestNode.GetAsync(client)).Backend!);
        }

        Assert.Equal(100, sequence.Count(b => b == "backend-1"));
        Assert.Equal(200, sequence.Count(b => b == "backend-2"));
        Assert.Equal(300, sequence.Count(b => b == "backend-3"));

        // Smooth: the heaviest backend (half the weight) never gets three requests in a row.
        var longestRun = sequence.Select((b, i) => sequence.Skip(i).TakeWhile(x => x == b).Count()).Max();
        Assert.True(longestRun <= 2, $"longest run to one backend was {longestRun}");
    }

    [Fact]
    public async Task Weight0_TakesNoNewTraffic()
    {
        await using var backends = await BackendSet.StartAsync(3);
        var config = TestConfig.Create(FreePort.Next(), backends.All, "RoundRobin").WithMetadata("backend-2", "Weight", "0");
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();

        var counts = await CountAsync(client, 60);

        Assert.False(counts.ContainsKey("backend-2"));
        Assert.Equal(30, counts["backend-1"]);
    }

    [Theory]
    [InlineData("Random")]
    [InlineData("PowerOfTwoChoices")]
    public async Task RandomisedPolicies_ManyRequests_EachBackendGetsAboutAThird(string policy)
    {
        await using var backends = await BackendSet.StartAsync(3);
        await using var node = await TestNode.StartAsync(TestConfig.Create(FreePort.Next(), backends.All, policy));
        using var client = node.NewClient();

        var counts = await CountAsync(client, 900);

        // 300 expected each; binomial sd ~14, so +-75 is over 5 sd: a failure means a real skew.
        Assert.All(backends.All, b => Assert.InRange(counts.GetValueOrDefault(b.Name), 225, 375));
    }

    [Fact]
    public async Task LeastConnections_ConcurrentSlowRequests_SpreadByInFlightCount()
    {
        await using var backends = await BackendSet.StartAsync(3);
        await using var node = await TestNode.StartAsync(TestConfig.Create(FreePort.Next(), backends.All, "LeastConnections"));
        using var client = node.NewClient();

        var requests = Enumerable.Range(0, 30).Select(_ => TestNode.GetAsync(client, "/slow?ms=1500")).ToList();
        var results = await Task.WhenAll(requests);

        Assert.All(results, r => Assert.Equal(200, r.Status));
        // With 30 held requests and least-connections, each backend holds about 10 at the peak.
        Assert.All(backends.All, b => Assert.InRange(b.MaxInFlight, 8, 12));
    }

    [Fact]
    public async Task LeastConnections_OneBackendBusy_NewRequestsGoElsewhere()
    {
        await using var backends = await BackendSet.StartAsync(2);
        await using var node = await TestNode.StartAsync(TestConfig.Create(FreePort.Next(), backends.All, "LeastConnections"));
        using var client = node.NewClient();

        // Park two long requests: least-connections puts one on each backend.
        var parked = new[] { TestNode.GetAsync(client, "/slow?ms=3000"), TestNode.GetAsync(client, "/slow?ms=3000") };
        await WaitUntilAsync(() => backends.All.All(b => b.MaxInFlight >= 1));
        // A third parked request: backends tie at 1 each, it goes to one of them, making it busier.
        var third = TestNode.GetAsync(client, "/slow?ms=3000");
        await WaitUntilAsync(() => backends.All.Sum(b => b.MaxInFlight) >= 3);
        var busy = backends.All.Single(b => b.MaxInFlight == 2).Name;

        var (_, next) = await TestNode.GetAsync(client, "/");

        Assert.NotEqual(busy, next);
        await Task.WhenAll(parked.Append(third));
    }

    [Fact]
    public async Task ConsistentHash_SamePath_SameBackend_AndRemovingOneMovesOnlyItsKeys()
    {
        await using var backends = await BackendSet.StartAsync(3);
        await using var node = await TestNode.StartAsync(TestConfig.Create(FreePort.Next(), backends.All, "ConsistentHash"));
        using var client = node.NewClient();
        var paths = Enumerable.Range(0, 300).Select(i => $"/item/{i}?v={i * 7}").ToList();

        var before = new Dictionary<string, string>();
        foreach (var path in paths)
        {
            before[path] = (await TestNode.GetAsync(client, path)).Backend!;
            Assert.Equal(before[path], (await TestNode.GetAsync(client, path)).Backend);
        }

        Assert.All(backends.All, b => Assert.InRange(before.Values.Count(v => v == b.Name), 60, 140));

        Assert.Equal(Proxy.Model.BackendChange.Done, node.Registry.SetAdminState("web", "backend-3", BackendAdminState.Maint));
        var moved = 0;
        foreach (var path in paths)
        {
            var after = (await TestNode.GetAsync(client, path)).Backend!;
            if (before[path] == "backend-3")
            {
                Assert.NotEqual("backend-3", after);
                moved++;
            }
            else
            {
                Assert.Equal(before[path], after); // keys of surviving backends never move
            }
        }

        Assert.InRange(moved / (double)paths.Count, 0.2, 0.47); // about 1/3
    }

    [Fact]
    public async Task ConsistentHash_OnHeader_KeysFollowTheHeader()
    {
        await using var backends = await BackendSet.StartAsync(3);
        var config = TestConfig.Create(FreePort.Next(), backends.All, "ConsistentHash");
        config.Balancing()["HashKey"] = new System.Text.Json.Nodes.JsonObject { ["Source"] = "Header", ["Name"] = "X-User" };
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();

        var seen = new HashSet<string>();
        for (var user = 0; user < 30; user++)
        {
            var owners = new HashSet<string>();
            for (var i = 0; i < 3; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/path-{i}");
                request.Headers.Add("X-User", $"user-{user}");
                using var response = await client.SendAsync(request);
                owners.Add(response.Headers.GetValues("X-Backend").Single());
            }

            Assert.Single(owners); // different paths, same user: same backend
            seen.Add(owners.Single());
        }

        Assert.Equal(3, seen.Count); // and users spread over all backends
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, int timeoutMs = 5000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}

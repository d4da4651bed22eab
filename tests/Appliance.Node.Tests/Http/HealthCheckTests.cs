using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Http;

/// <summary>
/// Active probes (YARP sends them, the RiseFall policy judges) and passive checks from real
/// traffic, end to end over real backends.
/// </summary>
public sealed class HealthCheckTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    /// <summary>Sends <paramref name="count"/> GETs and returns the answering backends.</summary>
    private static async Task<List<string?>> SendAsync(HttpClient client, int count)
    {
        var seen = new List<string?>(count);
        for (var i = 0; i < count; i++)
        {
            var (status, backend) = await TestNode.GetAsync(client);
            seen.Add(status == 200 ? backend : $"status {status} from {backend}");
        }

        return seen;
    }

    /// <summary>True once a window of requests reaches only the backends expected.</summary>
    private static async Task<bool> OnlyReachesAsync(HttpClient client, int window, params string[] expected) =>
        (await SendAsync(client, window)).All(b => expected.Contains(b));

    [Fact]
    public async Task ActiveCheck_BackendTurnsUnhealthyThenHealthy_LeavesAndRejoinsRotation()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var config = TestConfig.Create(FreePort.Next(), backends.All).WithActiveHealth("00:00:00.200", rise: 2, fall: 2);
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();
        Assert.Contains("backend-2", await SendAsync(client, 4));

        backends[1].Healthy = false;
        await HttpTestHelpers.WaitUntilAsync(() => OnlyReachesAsync(client, 6, "backend-1"), Deadline, "backend-2 leaves the rotation");
        var before = backends[1].Requests;
        Assert.All(await SendAsync(client, 20), b => Assert.Equal("backend-1", b));
        Assert.Equal(before, backends[1].Requests);

        backends[1].Healthy = true;
        await HttpTestHelpers.WaitUntilAsync(async () => (await SendAsync(client, 4)).Contains("backend-2"), Deadline, "backend-2 gets traffic again");
        Assert.True(backends[1].Requests > before);
    }

    [Fact]
    public async Task ActiveCheck_ExpectedStatus200_BackendAnswering503IsDown()
    {
        await using var backends = await BackendSet.StartAsync(2);
        backends[1].Healthy = false; // /health answers 503
        var config = TestConfig.Create(FreePort.Next(), backends.All).WithActiveHealth("00:00:00.200", rise: 2, fall: 2);
        config.Balancing()["HealthCheck"]!["ExpectedStatus"] = "200";
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();

        await HttpTestHelpers.WaitUntilAsync(() => OnlyReachesAsync(client, 6, "backend-1"), Deadline, "backend-2 is judged down");
        var before = backends[1].Requests;
        Assert.All(await SendAsync(client, 20), b => Assert.Equal("backend-1", b));
        Assert.Equal(before, backends[1].Requests);
    }

    [Fact]
    public async Task ActiveCheck_ExpectedStatus503_BackendAnswering200IsDownAnd503IsUp()
    {
        // The inverse proves the setting is read, not YARP's or our default of 2xx/3xx.
        await using var backends = await BackendSet.StartAsync(2);
        backends[1].Healthy = false; // /health answers 503, which is what this cluster expects
        var config = TestConfig.Create(FreePort.Next(), backends.All).WithActiveHealth("00:00:00.200", rise: 2, fall: 2);
        config.Balancing()["HealthCheck"]!["ExpectedStatus"] = "503";
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();

        await HttpTestHelpers.WaitUntilAsync(() => OnlyReachesAsync(client, 6, "backend-2"), Deadline, "backend-1 is judged down");
        var before = backends[0].Requests;
        Assert.All(await SendAsync(client, 20), b => Assert.Equal("backend-2", b));
        Assert.Equal(before, backends[0].Requests);
    }

    [Fact]
    public async Task PassiveCheck_ConsecutiveServerErrors_BackendEjectedThenReactivated()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var config = TestConfig.Create(FreePort.Next(), backends.All);
        config.Balancing()["PassiveHealthCheck"] = new JsonObject
        {
            ["Enabled"] = true,
            ["ConsecutiveFailures"] = 3,
            ["CountServerErrors"] = true,
            ["ReactivationPeriod"] = "00:00:02",
        };
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();
        backends[0].FailWith = 500;

        // Round robin sends every other request to backend-1; its third 500 in a row trips it.
        var failures = 0;
        for (var i = 0; i < 20 && failures < 3; i++)
        {
            var (status, backend) = await TestNode.GetAsync(client);
            if (backend == "backend-1")
            {
                Assert.Equal(500, status);
                failures++;
            }
        }

        Assert.Equal(3, failures);
        var tripped = System.Diagnostics.Stopwatch.StartNew();

        // The passive policy judges a response after it has been sent: a request right behind the
        // third 500 can still reach backend-1. Wait (bounded) until two in a row go elsewhere.
        await HttpTestHelpers.WaitUntilAsync(async () => (await SendAsync(client, 2)).All(b => b == "backend-2"), TimeSpan.FromSeconds(1), "backend-1 is ejected");
        var before = backends[0].Requests;
        var after = await SendAsync(client, 10);
        Assert.True(tripped.Elapsed < TimeSpan.FromSeconds(1.5), "the check ran too slowly to be inside the reactivation period");
        Assert.All(after, b => Assert.Equal("backend-2", b));
        Assert.Equal(before, backends[0].Requests);

        backends[0].FailWith = null;
        await HttpTestHelpers.WaitUntilAsync(async () => (await SendAsync(client, 2)).Contains("backend-1"), Deadline, "backend-1 is reactivated");
        Assert.True(tripped.Elapsed >= TimeSpan.FromSeconds(1.5), $"backend-1 came back after {tripped.Elapsed.TotalSeconds:0.00} s, before the 2 s reactivation period");
    }
}

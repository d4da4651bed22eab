using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Http;

/// <summary>Per-route, per-client token bucket (Balancing.Routes.{id}.RateLimit) over real sockets.</summary>
public sealed class RateLimitTests
{
    /// <summary>
    /// Route "all" (every path) limited to 2/s with a burst of 5; route "free" (/free/...) without
    /// a limit, more specific so it wins for its paths.
    /// </summary>
    private static async Task<(BackendSet Backends, TestNode Node)> StartAsync()
    {
        var backends = await BackendSet.StartAsync(1);
        var config = TestConfig.Create(FreePort.Next(), backends.All);
        config["ReverseProxy"]!["Routes"]!["free"] = new JsonObject
        {
            ["ClusterId"] = "web",
            ["Match"] = new JsonObject { ["Path"] = "/free/{**rest}" },
        };
        config["Balancing"] = new JsonObject
        {
            ["Routes"] = new JsonObject
            {
                ["all"] = new JsonObject { ["RateLimit"] = new JsonObject { ["RequestsPerSecond"] = 2, ["Burst"] = 5 } },
            },
        };
        return (backends, await TestNode.StartAsync(config));
    }

    [Fact]
    public async Task RateLimit_BurstSpent_429WithRetryAfterThenServedAgain()
    {
        var (backends, node) = await StartAsync();
        await using (backends)
        await using (node)
        {
            using var client = node.NewClient();
            Assert.Equal(200, (await TestNode.GetAsync(client, "/free/warm-up")).Status); // not counted: another route

            var statuses = new List<int>();
            for (var i = 0; i < 5; i++)
            {
                statuses.Add((await TestNode.GetAsync(client, $"/limited/{i}")).Status);
            }

            using var refused = await client.GetAsync(new Uri("/limited/6", UriKind.Relative));

            Assert.All(statuses, s => Assert.Equal(200, s));
            Assert.Equal(429, (int)refused.StatusCode);
            var retryAfter = Assert.Single(refused.Headers.GetValues("Retry-After"));
            Assert.True(int.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds >= 1,
                $"Retry-After '{retryAfter}' is not a whole number of seconds >= 1");
            Assert.Equal(5, backends[0].Requests - 1);

            await Task.Delay(TimeSpan.FromSeconds(seconds));
            Assert.Equal(200, (await TestNode.GetAsync(client, "/limited/7")).Status);
        }
    }

    [Fact]
    public async Task RateLimit_RouteWithoutLimit_Never429()
    {
        var (backends, node) = await StartAsync();
        await using (backends)
        await using (node)
        {
            using var client = node.NewClient();

            var statuses = new List<int>();
            for (var i = 0; i < 30; i++)
            {
                statuses.Add((await TestNode.GetAsync(client, $"/free/{i}")).Status);
            }

            Assert.All(statuses, s => Assert.Equal(200, s));

            // The limited route, same client, same moment: the limit is in force there.
            var limited = new List<int>();
            for (var i = 0; i < 8; i++)
            {
                limited.Add((await TestNode.GetAsync(client, $"/limited/{i}")).Status);
            }

            Assert.Contains(429, limited);
        }
    }
}

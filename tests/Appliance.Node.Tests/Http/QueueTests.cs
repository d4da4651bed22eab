using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Http;

/// <summary>
/// A backend's MaxRequests with the cluster's bounded queue: full queue and queue timeout answer
/// 503 with Retry-After, a queued request that gets a slot in time is served, and the backend
/// never sees more than its limit at once.
/// </summary>
public sealed class QueueTests
{
    private sealed record Outcome(int Status, string? RetryAfter, TimeSpan Elapsed);

    private static async Task<Outcome> TimedGetAsync(HttpClient client, string path)
    {
        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        await response.Content.ReadAsByteArrayAsync();
        var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? values.First() : null;
        return new Outcome((int)response.StatusCode, retryAfter, watch.Elapsed);
    }

    private static async Task<(BackendSet Backends, TestNode Node)> StartAsync(int maxLength, string timeout)
    {
        var backends = await BackendSet.StartAsync(1);
        var config = TestConfig.Create(FreePort.Next(), backends.All).WithMetadata("backend-1", "MaxRequests", "1");
        config.Balancing()["Queue"] = new JsonObject { ["MaxLength"] = maxLength, ["Timeout"] = timeout };
        var node = await TestNode.StartAsync(config);
        return (backends, node);
    }

    [Fact]
    public async Task Queue_ThreeConcurrentWithOneSlotAndQueueOfOne_OneServedOneRefusedOneTimedOut()
    {
        // Wide margins: the three requests must all reach the node within the queue timeout of one
        // another, which a loaded two-core machine does not promise for 300 ms.
        var (backends, node) = await StartAsync(maxLength: 1, timeout: "00:00:01.500");
        await using (backends)
        await using (node)
        {
            using var client = node.NewClient();
            Assert.Equal(200, (await TestNode.GetAsync(client)).Status); // warm the path up

            var outcomes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => TimedGetAsync(client, "/slow?ms=5000")));

            var served = Assert.Single(outcomes, o => o.Status == 200);
            var refused = outcomes.Where(o => o.Status == 503).OrderBy(o => o.Elapsed).ToArray();
            Assert.Equal(2, refused.Length);
            Assert.All(refused, o => Assert.True(
                int.TryParse(o.RetryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds >= 1,
                $"Retry-After was '{o.RetryAfter}'"));

            // Queue full: refused at once. Timed out: after the 1.5 s queue timeout, long before the slot frees.
            var (full, timedOut) = (refused[0], refused[1]);
            Assert.True(full.Elapsed < TimeSpan.FromMilliseconds(1400), $"queue-full 503 took {full.Elapsed.TotalMilliseconds:0} ms");
            Assert.True(timedOut.Elapsed >= TimeSpan.FromMilliseconds(1480), $"queue-timeout 503 took only {timedOut.Elapsed.TotalMilliseconds:0} ms");
            Assert.True(timedOut.Elapsed < TimeSpan.FromMilliseconds(4500), $"queue-timeout 503 took {timedOut.Elapsed.TotalMilliseconds:0} ms");
            Assert.True(served.Elapsed >= TimeSpan.FromMilliseconds(5000));

            Assert.Equal(1, backends[0].MaxInFlight);
            var queue = node.Registry.Find("web")!.Queue;
            Assert.Equal(1, queue.Rejected);
            Assert.Equal(1, queue.TimedOut);
        }
    }

    [Fact]
    public async Task Queue_QueuedRequestGetsSlotInTime_BothServedOneAtATime()
    {
        var (backends, node) = await StartAsync(maxLength: 10, timeout: "00:00:05");
        await using (backends)
        await using (node)
        {
            using var client = node.NewClient();
            Assert.Equal(200, (await TestNode.GetAsync(client)).Status);

            var outcomes = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => TimedGetAsync(client, "/slow?ms=300")));

            Assert.All(outcomes, o => Assert.Equal(200, o.Status));
            Assert.Equal(1, backends[0].MaxInFlight);
            Assert.True(outcomes.Max(o => o.Elapsed) >= TimeSpan.FromMilliseconds(580), "the second request did not wait for the first");
            Assert.Equal(0, node.Registry.Find("web")!.Queue.TimedOut);
        }
    }
}

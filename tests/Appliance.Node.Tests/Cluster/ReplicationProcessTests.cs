using System.Net;
using Appliance.Management.Contracts;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cluster;

/// <summary>
/// Three real applianced processes sharing sticky sessions and connection counts through
/// replication, in front of real backends. Every wait is bounded; figures are in docs/benchmarks.md.
/// </summary>
public sealed class ReplicationProcessTests
{
    private const int StickyClients = 1_000;
    private const int LongRequestsPerNode = 100;

    /// <summary>
    /// Cluster-wide in-flight per backend may differ from the even share by at most this. Requests
    /// arrive 20 ms apart per node (150/s in all): a node decides on the others' counts as of one
    /// replication delay ago (5-10 ms, more on a loaded machine), so each pick can miss a few of
    /// theirs. A burst of all 300 at once skews by up to about 20 here (measured at load 28).
    /// </summary>
    private const int CountBound = 10;

    private const int RampMs = 20;

    /// <summary>
    /// Issue 15: the whole cluster restarts. Both nodes write their snapshot at the graceful stop
    /// (SIGTERM) and load it at start, so the sessions pinned through A are still honoured.
    /// </summary>
    [Fact]
    public async Task StickySessions_SurviveARestartOfTheWholeCluster()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var nodes = new ClusterNodes(2)
        {
            Customize = (_, config) =>
                config["ReverseProxy"] = TestConfig.Create(FreePort.Next(), backends.All).WithStickySessions()["ReverseProxy"]!.DeepClone(),
        };
        nodes.StartAll();
        await nodes.WaitAllUpAsync();
        var pinned = await CreateSessionsAsync(nodes.HttpUrl(0), 300);
        await AssertHonouredAsync(nodes.HttpUrl(1), nodes.AdminUrl(1), pinned);

        for (var i = 0; i < 2; i++)
        {
            nodes[i].Signal("TERM");
        }

        for (var i = 0; i < 2; i++)
        {
            await nodes[i].WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.True(File.Exists(nodes.SnapshotFile(i)), $"{ClusterNodes.Name(i)} wrote no snapshot at its stop:\n{nodes[i].Output}");
        }

        nodes.StartAll();
        for (var i = 0; i < 2; i++)
        {
            await nodes[i].WaitForOutputAsync($"{pinned.Count} sessions loaded from the snapshot");
        }

        await nodes.WaitAllUpAsync();
        await AssertHonouredAsync(nodes.HttpUrl(1), nodes.AdminUrl(1), pinned);
        await AssertHonouredAsync(nodes.HttpUrl(0), nodes.AdminUrl(0), pinned);
    }

    [Fact]
    public async Task StickySessions_1000CreatedThroughA_HonouredByBAndC_EvenAfterAIsKilled()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var nodes = StickyCluster(backends);
        nodes.StartAll();
        await nodes.WaitAllUpAsync();

        var pinned = await CreateSessionsAsync(nodes.HttpUrl(0), StickyClients);

        Assert.Equal(3, pinned.Values.Distinct().Count());
        await AssertHonouredAsync(nodes.HttpUrl(1), nodes.AdminUrl(1), pinned);
        await AssertHonouredAsync(nodes.HttpUrl(2), nodes.AdminUrl(2), pinned);

        nodes.Kill(0);
        await AssertHonouredAsync(nodes.HttpUrl(1), nodes.AdminUrl(1), pinned);
        await AssertHonouredAsync(nodes.HttpUrl(2), nodes.AdminUrl(2), pinned);
    }

    [Fact]
    public async Task CookieHint_KeepsThePin_WhereTheTableHasNoEntry()
    {
        // Two nodes with the same cluster key that never meet (each is its own only seed): nothing
        // replicates, so node B can only honour A's sessions through the hint in the cookie.
        await using var backends = await BackendSet.StartAsync(3);
        using var nodes = new ClusterNodes(2);
        nodes.Customize = (index, config) =>
        {
            config["ReverseProxy"] = TestConfig.Create(FreePort.Next(), backends.All).WithStickySessions()["ReverseProxy"]!.DeepClone();
            config["Cluster"]!["Seeds"] = new System.Text.Json.Nodes.JsonArray(nodes.ClusterAddress(index));
        };
        nodes.StartAll();
        await nodes[0].WaitForOutputAsync("serving 1 listener(s)", timeoutMs: 30_000);
        await nodes[1].WaitForOutputAsync("serving 1 listener(s)", timeoutMs: 30_000);

        var pinned = new List<(string Cookie, string Backend)>();
        using (var a = Client(nodes.HttpUrl(0)))
        {
            for (var c = 0; c < 40; c++)
            {
                using var response = await a.GetAsync(new Uri("/", UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                pinned.Add((response.Headers.GetValues("Set-Cookie").Single().Split(';')[0], response.Headers.GetValues("X-Backend").Single()));
            }
        }

        Assert.True(pinned.Select(p => p.Backend).Distinct().Count() > 1, "sessions should spread over the backends");
        using var b = Client(nodes.HttpUrl(1));
        // Reversed: B's round robin would otherwise repeat A's order and match by construction.
        var withoutHint = pinned.Take(20).Reverse().ToList();
        var withHint = pinned.Skip(20).ToList();
        var keptWithoutHint = 0;
        foreach (var (cookie, backend) in withoutHint)
        {
            keptWithoutHint += await BackendForAsync(b, WithoutHint(cookie)) == backend ? 1 : 0;
        }

        foreach (var (cookie, backend) in withHint)
        {
            Assert.Equal(backend, await BackendForAsync(b, cookie));
            Assert.Equal(backend, await BackendForAsync(b, WithoutHint(cookie))); // B wrote the hinted session to its table
        }

        // Without the hint B balances those clients afresh: by chance a third keep their backend.
        Assert.True(keptWithoutHint < withoutHint.Count, "without the hint B cannot know A's sessions; the test proves nothing otherwise");
    }

    private static string WithoutHint(string cookie) =>
        cookie.Contains('.', StringComparison.Ordinal) ? cookie[..cookie.IndexOf('.', StringComparison.Ordinal)] : cookie;

    private static async Task<string> BackendForAsync(HttpClient client, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("X-Backend").First();
    }

    [Fact]
    public async Task RollingRestart_RestartedNode_NotReadyUntilSynced_ThenServesTheOldSessions()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var nodes = StickyCluster(backends);
        nodes.StartAll();
        await nodes.WaitAllUpAsync();
        var pinned = await CreateSessionsAsync(nodes.HttpUrl(0), 300);
        await WaitForAsync(async () => (await ReplicationAsync(nodes.AdminUrl(1))).Sessions == pinned.Count, 5_000, "node B holds every session");

        // Graceful stop (as systemctl restart does), then start the same node again.
        nodes[1].Signal("TERM");
        Assert.Equal(0, await nodes[1].WaitForExitAsync(TimeSpan.FromSeconds(20)));
        var restarted = nodes.Start(1);

        // From its first answer on: never ready while it lacks a session, and ready in the end.
        using var admin = AdminClient(nodes.AdminUrl(1));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var sawNotReady = false;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"node B never became ready:\n{restarted.Output}");
            var status = await TryGetAsync(admin, AdminPaths.Status, AdminJson.Context.NodeStatus);
            if (status is null)
            {
                await Task.Delay(20);
                continue;
            }

            var replication = await ReplicationAsync(nodes.AdminUrl(1));
            if (!status.Ready)
            {
                sawNotReady = true;
                if (replication.Sync != "synced")
                {
                    Assert.Contains(status.NotReadyReasons, r => r.StartsWith("state sync not finished", StringComparison.Ordinal));
                }

                await Task.Delay(20);
                continue;
            }

            Assert.Equal("synced", replication.Sync);
            Assert.Equal(pinned.Count, replication.Sessions);
            break;
        }

        await restarted.WaitForOutputAsync("Replication: state synced from a peer");
        Assert.True(sawNotReady || restarted.Output.Contains("state synced", StringComparison.Ordinal));
        await AssertHonouredAsync(nodes.HttpUrl(1), nodes.AdminUrl(1), pinned);
    }

    [Fact]
    public async Task LeastConnections_300LongRequestsThroughThreeNodes_ClusterCountsEvenThenZero()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var nodes = LeastConnectionsCluster(backends);
        nodes.StartAll();
        await nodes.WaitAllUpAsync();

        using var load = new LongLoad();
        for (var n = 0; n < 3; n++)
        {
            load.Start(nodes.HttpUrl(n), LongRequestsPerNode);
        }

        for (var n = 0; n < 3; n++)
        {
            var counts = await WaitForCountsAsync(nodes.AdminUrl(n), c => c.Values.Sum() == 3 * LongRequestsPerNode, 15_000);
            AssertEven(counts, 3 * LongRequestsPerNode, $"node {ClusterNodes.Name(n)}");
        }

        load.Stop();
        for (var n = 0; n < 3; n++)
        {
            await WaitForCountsAsync(nodes.AdminUrl(n), c => c.Values.All(v => v == 0), 2_000);
        }
    }

    [Fact]
    public async Task LeastConnections_NodeKilledMidLoad_SurvivorsDropItsCountsThenZero()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var nodes = LeastConnectionsCluster(backends);
        nodes.StartAll();
        await nodes.WaitAllUpAsync();

        using var load = new LongLoad();
        using var doomed = new LongLoad();
        load.Start(nodes.HttpUrl(0), LongRequestsPerNode);
        load.Start(nodes.HttpUrl(1), LongRequestsPerNode);
        doomed.Start(nodes.HttpUrl(2), LongRequestsPerNode);
        await WaitForCountsAsync(nodes.AdminUrl(0), c => c.Values.Sum() == 3 * LongRequestsPerNode, 15_000);

        nodes.Kill(2);

        // Its 100 requests died with it; once membership downs it, its gauges are gone everywhere.
        for (var n = 0; n < 2; n++)
        {
            var counts = await WaitForCountsAsync(nodes.AdminUrl(n), c => c.Values.Sum() == 2 * LongRequestsPerNode, 15_000);
            AssertEven(counts, 2 * LongRequestsPerNode, $"survivor {ClusterNodes.Name(n)}");
        }

        load.Stop();
        for (var n = 0; n < 2; n++)
        {
            await WaitForCountsAsync(nodes.AdminUrl(n), c => c.Values.All(v => v == 0), 2_000);
        }
    }

    private static ClusterNodes StickyCluster(BackendSet backends) => new(3)
    {
        Customize = (_, config) =>
            config["ReverseProxy"] = TestConfig.Create(FreePort.Next(), backends.All).WithStickySessions()["ReverseProxy"]!.DeepClone(),
    };

    private static ClusterNodes LeastConnectionsCluster(BackendSet backends) => new(3)
    {
        Customize = (_, config) =>
            config["ReverseProxy"] = TestConfig.Create(FreePort.Next(), backends.All, "LeastConnections")["ReverseProxy"]!.DeepClone(),
    };

    private static void AssertEven(IReadOnlyDictionary<string, long> counts, int total, string seenBy)
    {
        var share = total / counts.Count;
        foreach (var (backend, count) in counts)
        {
            Assert.True(Math.Abs(count - share) <= CountBound,
                $"{seenBy} counts {count} in flight on {backend}, more than {CountBound} from the even share {share}: {string.Join(", ", counts)}");
        }
    }

    private static HttpClient Client(Uri baseUrl) =>
        new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(10) };

    private static HttpClient AdminClient(Uri baseUrl) => new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>
    /// Creates sessions through one node (a few clients at once): cookie to the backend it was pinned
    /// to. The cookie keeps only the key, not its hint: other nodes must know the session from the table.
    /// </summary>
    private static async Task<Dictionary<string, string>> CreateSessionsAsync(Uri node, int count)
    {
        using var client = Client(node);
        var pinned = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
        {
            using var response = await client.GetAsync(new Uri("/", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var cookie = WithoutHint(response.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);
            Assert.True(pinned.TryAdd(cookie, response.Headers.GetValues("X-Backend").Single()), $"cookie {cookie} given twice");
        });
        return new Dictionary<string, string>(pinned);
    }

    /// <summary>
    /// Once <paramref name="admin"/>'s node holds every session (replication gets 5 s), every
    /// client reaches its backend through <paramref name="node"/> at the first try. (A client
    /// that reached a node before the session did, without the cookie's hint, would be pinned anew
    /// there: the later pin wins.)
    /// </summary>
    private static async Task AssertHonouredAsync(Uri node, Uri admin, Dictionary<string, string> pinned)
    {
        await WaitForAsync(async () => (await ReplicationAsync(admin)).Sessions >= pinned.Count, 5_000, $"{admin} holds {pinned.Count} sessions");
        using var client = Client(node);
        await Parallel.ForEachAsync(pinned, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (pin, _) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("Cookie", pin.Key);
            using var response = await client.SendAsync(request);
            var answered = response.Headers.TryGetValues("X-Backend", out var values) ? values.First() : null;
            Assert.True(answered == pin.Value, $"{pin.Key} went to {answered} through {node}, pinned to {pin.Value}");
        });
    }

    private static async Task<ReplicationResponse> ReplicationAsync(Uri admin)
    {
        using var client = AdminClient(admin);
        return await TryGetAsync(client, AdminPaths.ClusterReplication, AdminJson.Context.ReplicationResponse)
            ?? throw new InvalidOperationException($"{admin} did not answer {AdminPaths.ClusterReplication}");
    }

    private static async Task<T?> TryGetAsync<T>(HttpClient client, string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            return response.IsSuccessStatusCode
                ? System.Text.Json.JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), type)
                : null;
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
    }

    /// <summary>Cluster-wide in-flight per backend of cluster "web", as one node's admin API reports it.</summary>
    private static async Task<IReadOnlyDictionary<string, long>> WaitForCountsAsync(Uri admin, Func<IReadOnlyDictionary<string, long>, bool> done, int timeoutMs)
    {
        using var client = AdminClient(admin);
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        IReadOnlyDictionary<string, long> counts = new Dictionary<string, long>();
        while (DateTime.UtcNow < deadline)
        {
            var backends = await TryGetAsync(client, AdminPaths.Backends + "?cluster=web", AdminJson.Context.BackendsResponse);
            if (backends is not null)
            {
                counts = backends.Clusters.Single().Backends.ToDictionary(b => b.Id, b => b.InFlight.Cluster);
                if (done(counts))
                {
                    return counts;
                }
            }

            await Task.Delay(25);
        }

        Assert.Fail($"{admin}: cluster-wide in-flight did not reach the expected state within {timeoutMs} ms: {string.Join(", ", counts)}");
        return counts;
    }

    private static Task WaitForAsync(Func<Task<bool>> condition, int timeoutMs, string what) =>
        Task.Run(async () =>
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
            while (!await condition())
            {
                Assert.True(DateTime.UtcNow < deadline, $"timed out waiting: {what}");
                await Task.Delay(25);
            }
        });

    /// <summary>Long requests (30 s at most) held open until <see cref="Stop"/> cancels them.</summary>
    private sealed class LongLoad : IDisposable
    {
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));
        private readonly List<Task> _requests = [];
        private readonly List<HttpClient> _clients = [];

        /// <summary>Starts <paramref name="count"/> requests through <paramref name="node"/>, <see cref="RampMs"/> apart.</summary>
        public void Start(Uri node, int count)
        {
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = count + 10 }) { BaseAddress = node, Timeout = TimeSpan.FromSeconds(40) };
            _clients.Add(client);
            for (var i = 0; i < count; i++)
            {
                _requests.Add(SendAsync(client, i * RampMs));
            }
        }

        private async Task SendAsync(HttpClient client, int delayMs)
        {
            try
            {
                await Task.Delay(delayMs, _stop.Token);
                using var response = await client.GetAsync(new Uri("/slow?ms=30000", UriKind.Relative), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
            {
                // stopped, or the node was killed under it
            }
        }

        public void Stop() => _stop.Cancel();

        public void Dispose()
        {
            _stop.Cancel();
            Task.WaitAll([.. _requests], TimeSpan.FromSeconds(10));
            foreach (var client in _clients)
            {
                client.Dispose();
            }

            _stop.Dispose();
        }
    }
}

using System.Net;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cluster;

/// <summary>Three real applianced processes sharing sticky sessions through replication.</summary>
public sealed class ReplicationProcessTests
{
    private const int Clients = 60;

    [Fact]
    public async Task StickySessions_CreatedThroughA_HonouredByBAndC_EvenAfterAIsKilled()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var nodes = new ClusterNodes(3)
        {
            Customize = (_, config) =>
                config["ReverseProxy"] = TestConfig.Create(FreePort.Next(), backends.All).WithStickySessions()["ReverseProxy"]!.DeepClone(),
        };
        nodes.StartAll();
        await nodes.WaitAllUpAsync();

        var pinned = new Dictionary<string, string>();
        using (var a = Client(nodes.HttpUrl(0)))
        {
            for (var c = 0; c < Clients; c++)
            {
                using var response = await a.GetAsync(new Uri("/", UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                // Only the key, without the cookie's hint: B and C must know the session from the table.
                var cookie = WithoutHint(response.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);
                pinned[cookie] = response.Headers.GetValues("X-Backend").Single();
            }
        }

        Assert.True(pinned.Values.Distinct().Count() > 1, "sessions should spread over the backends");
        await AssertHonouredAsync(nodes.HttpUrl(1), pinned);
        await AssertHonouredAsync(nodes.HttpUrl(2), pinned);

        nodes.Kill(0);
        await AssertHonouredAsync(nodes.HttpUrl(1), pinned);
        await AssertHonouredAsync(nodes.HttpUrl(2), pinned);
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

    private static HttpClient Client(Uri baseUrl) =>
        new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Every client reaches its backend through <paramref name="node"/>; replication gets 2 s to catch up.</summary>
    private static async Task AssertHonouredAsync(Uri node, Dictionary<string, string> pinned)
    {
        using var client = Client(node);
        var deadline = DateTime.UtcNow.AddSeconds(2);
        foreach (var (cookie, backend) in pinned)
        {
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Add("Cookie", cookie);
                using var response = await client.SendAsync(request);
                var answered = response.Headers.TryGetValues("X-Backend", out var values) ? values.First() : null;
                if (answered == backend)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"{cookie} went to {answered} through {node}, pinned to {backend}");
                await Task.Delay(50);
            }
        }
    }
}

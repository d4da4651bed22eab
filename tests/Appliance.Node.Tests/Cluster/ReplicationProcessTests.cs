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
                var cookie = response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
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

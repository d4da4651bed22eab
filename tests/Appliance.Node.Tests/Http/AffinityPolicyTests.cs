using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Http;

/// <summary>
/// Every YARP session-affinity policy through a real node (YARP 2.3 with System.IO.Hashing), beside
/// ours: ApplianceCookie is what a cluster gets when it enables affinity without naming a policy.
/// </summary>
public sealed class AffinityPolicyTests
{
    private const string HeaderName = "X-Sticky";

    private static JsonObject WithAffinity(JsonObject config, string? policy)
    {
        var affinity = new JsonObject { ["Enabled"] = true, ["AffinityKeyName"] = policy == "CustomHeader" ? HeaderName : "sticky" };
        if (policy is not null)
        {
            affinity["Policy"] = policy;
        }

        config.Cluster()["SessionAffinity"] = affinity;
        return config;
    }

    /// <summary>A client that carries the affinity key back, as a browser would a cookie, or by echoing the header.</summary>
    private sealed class StickyClient(HttpClient http) : IDisposable
    {
        private string? _header;

        public async Task<string> GetAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            if (_header is not null)
            {
                request.Headers.Add(HeaderName, _header);
            }

            using var response = await http.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
            if (response.Headers.TryGetValues(HeaderName, out var values))
            {
                _header = values.First();
            }

            return response.Headers.GetValues("X-Backend").First();
        }

        public void Dispose() => http.Dispose();
    }

    private static async Task<string> StickToAsync(StickyClient client, int requests = 8)
    {
        var owners = new HashSet<string>();
        for (var i = 0; i < requests; i++)
        {
            owners.Add(await client.GetAsync());
        }

        return Assert.Single(owners);
    }

    [Theory]
    [InlineData("HashCookie")]
    [InlineData("ArrCookie")]
    [InlineData("Cookie")]
    [InlineData("CustomHeader")]
    [InlineData("ApplianceCookie")]
    public async Task EveryPolicy_ClientsStayPinned_AndSpreadAcrossBackends(string policy)
    {
        await using var backends = await BackendSet.StartAsync(3);
        await using var node = await TestNode.StartAsync(WithAffinity(TestConfig.Create(FreePort.Next(), backends.All), policy));

        var pinned = new List<string>();
        for (var c = 0; c < 9; c++)
        {
            using var client = new StickyClient(node.NewClient(cookies: true));
            pinned.Add(await StickToAsync(client));
        }

        Assert.Equal(3, pinned.Distinct().Count()); // round robin hands the first request of each client on
    }

    [Theory]
    [InlineData("HashCookie")]
    [InlineData("ArrCookie")]
    public async Task HashedCookie_WrittenByOneNode_PinsOnAnother(string policy)
    {
        // The hashed policies derive the cookie from the destination id alone, so they hold across
        // nodes without replication (ApplianceCookie holds through the replicated table instead).
        await using var backends = await BackendSet.StartAsync(3);
        await using var first = await TestNode.StartAsync(WithAffinity(TestConfig.Create(FreePort.Next(), backends.All), policy));
        await using var second = await TestNode.StartAsync(WithAffinity(TestConfig.Create(FreePort.Next(), backends.All), policy));
        using var atFirst = first.NewClient();

        for (var c = 0; c < 3; c++)
        {
            using var response = await atFirst.GetAsync(new Uri("/", UriKind.Relative));
            var owner = response.Headers.GetValues("X-Backend").First();
            var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie")).Split(';')[0];
            Assert.StartsWith("sticky=", cookie, StringComparison.Ordinal);
            Assert.DoesNotContain(owner, cookie, StringComparison.Ordinal);

            using var atSecond = second.NewClient();
            for (var i = 0; i < 4; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Add("Cookie", cookie);
                using var answer = await atSecond.SendAsync(request);
                Assert.Equal(owner, answer.Headers.GetValues("X-Backend").First());
            }
        }
    }

    [Fact]
    public async Task EnabledWithoutPolicy_UsesApplianceCookie_SessionGoesIntoTheTable()
    {
        await using var backends = await BackendSet.StartAsync(2);
        await using var node = await TestNode.StartAsync(WithAffinity(TestConfig.Create(FreePort.Next(), backends.All), policy: null));
        var store = (Core.State.InMemorySessionStore)node.Services.GetService(typeof(Core.State.ISessionStore))!;
        using var client = new StickyClient(node.NewClient(cookies: true));

        await StickToAsync(client, requests: 3);

        Assert.Equal(1, store.Count); // YARP's own default, HashCookie, would keep nothing in the table
    }
}

using Appliance.Core.Configuration;
using Appliance.Proxy.Model;
using Appliance.Tests.Support;

namespace Appliance.Tests.Http;

/// <summary>Sticky sessions through the ApplianceCookie policy, with drain, maint and health.</summary>
public sealed class StickySessionTests
{
    private static async Task<string> StickToAsync(HttpClient client, int requests = 10)
    {
        var owners = new HashSet<string>();
        for (var i = 0; i < requests; i++)
        {
            var (status, backend) = await TestNode.GetAsync(client);
            Assert.Equal(200, status);
            owners.Add(backend!);
        }

        return Assert.Single(owners);
    }

    [Fact]
    public async Task Clients_WithCookie_StayPinned_AndSpreadAcrossBackends()
    {
        await using var backends = await BackendSet.StartAsync(3);
        await using var node = await TestNode.StartAsync(TestConfig.Create(FreePort.Next(), backends.All).WithStickySessions());

        var pinned = new List<string>();
        for (var c = 0; c < 12; c++)
        {
            using var client = node.NewClient(cookies: true);
            pinned.Add(await StickToAsync(client));
        }

        Assert.Equal(3, pinned.Distinct().Count());
    }

    [Fact]
    public async Task Cookie_IsOpaque_AndForgedValuesAreIgnored()
    {
        await using var backends = await BackendSet.StartAsync(2);
        await using var node = await TestNode.StartAsync(TestConfig.Create(FreePort.Next(), backends.All).WithStickySessions());
        using var client = node.NewClient();

        using var first = await client.GetAsync(new Uri("/", UriKind.Relative));
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("sticky=", cookie, StringComparison.Ordinal);
        Assert.DoesNotContain("backend", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);

        using var forged = new HttpRequestMessage(HttpMethod.Get, "/");
        forged.Headers.Add("Cookie", "sticky=backend-1");
        using var answer = await client.SendAsync(forged);
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        var fresh = Assert.Single(answer.Headers.GetValues("Set-Cookie"));
        Assert.DoesNotContain("backend-1", fresh, StringComparison.Ordinal); // a forged key is replaced, never stored
    }

    [Fact]
    public async Task Drain_StickyClientsKeepBackend_NewClientsNeverGetIt()
    {
        await using var backends = await BackendSet.StartAsync(3);
        await using var node = await TestNode.StartAsync(TestConfig.Create(FreePort.Next(), backends.All).WithStickySessions());
        using var sticky = node.NewClient(cookies: true);
        var owner = await StickToAsync(sticky);

        Assert.Equal(BackendChange.Done, node.Registry.SetAdminState("web", owner, BackendAdminState.Drain));

        Assert.Equal(owner, await StickToAsync(sticky));
        for (var c = 0; c < 15; c++)
        {
            using var fresh = node.NewClient(cookies: true);
            Assert.NotEqual(owner, await StickToAsync(fresh, requests: 2));
        }
    }

    [Fact]
    public async Task Maint_StickyClientIsRepinned_AndBackendGetsNoTraffic()
    {
        await using var backends = await BackendSet.StartAsync(3);
        await using var node = await TestNode.StartAsync(TestConfig.Create(FreePort.Next(), backends.All).WithStickySessions());
        using var sticky = node.NewClient(cookies: true);
        var owner = await StickToAsync(sticky);
        var before = backends.ByName(owner).Requests;

        Assert.Equal(BackendChange.Done, node.Registry.SetAdminState("web", owner, BackendAdminState.Maint));

        var repinned = await StickToAsync(sticky);
        Assert.NotEqual(owner, repinned);
        Assert.Equal(before, backends.ByName(owner).Requests);

        // Back to ready: the session stays where it was re-pinned.
        node.Registry.SetAdminState("web", owner, BackendAdminState.Ready);
        Assert.Equal(repinned, await StickToAsync(sticky));
    }

    [Fact]
    public async Task BackendGoesDown_StickyClientIsRepinnedToAHealthyOne()
    {
        await using var backends = await BackendSet.StartAsync(3);
        var config = TestConfig.Create(FreePort.Next(), backends.All).WithStickySessions().WithActiveHealth();
        await using var node = await TestNode.StartAsync(config);
        using var sticky = node.NewClient(cookies: true);
        var owner = await StickToAsync(sticky);

        backends.ByName(owner).Healthy = false;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        string current;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the sticky client was not re-pinned after its backend went down");
            await Task.Delay(100);
            current = (await TestNode.GetAsync(sticky)).Backend!;
        }
        while (current == owner);

        Assert.Equal(current, await StickToAsync(sticky));
    }

    [Fact]
    public async Task SessionIdleTimeout_ExpiredSession_IsForgotten()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var config = TestConfig.Create(FreePort.Next(), backends.All).WithStickySessions();
        config.Balancing()["SessionIdleTimeout"] = "00:00:00.500";
        await using var node = await TestNode.StartAsync(config);
        var store = (Core.State.InMemorySessionStore)node.Services.GetService(typeof(Core.State.ISessionStore))!;
        using var sticky = node.NewClient(cookies: true);
        await StickToAsync(sticky, requests: 2);
        Assert.Equal(1, store.Count);

        await Task.Delay(700);

        Assert.False(store.TryGet(Assert.Single(StoreKeys(store)), DateTimeOffset.UtcNow, out _));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task TableLosesTheSession_CookieHintKeepsTheBackend_EvenWhenDraining()
    {
        await using var backends = await BackendSet.StartAsync(3);
        await using var node = await TestNode.StartAsync(TestConfig.Create(FreePort.Next(), backends.All).WithStickySessions());
        var store = (Core.State.InMemorySessionStore)node.Services.GetService(typeof(Core.State.ISessionStore))!;
        using var sticky = node.NewClient(cookies: true);
        var owner = await StickToAsync(sticky, requests: 2);
        var key = Assert.Single(StoreKeys(store));

        // As if the session had been created on a node that crashed before replicating it.
        Assert.True(store.Remove(key));
        Assert.Equal(BackendChange.Done, node.Registry.SetAdminState("web", owner, BackendAdminState.Drain));

        Assert.Equal(owner, await StickToAsync(sticky, requests: 3)); // drain honours sticky clients, hinted ones too
        Assert.True(store.TryPeek(key, DateTimeOffset.UtcNow, out var entry), "the hinted session is written back to the table");
        Assert.Equal(owner, entry.Backend);
    }

    [Fact]
    public async Task SessionIdleTimeout_AlsoEndsTheCookieHint()
    {
        await using var backends = await BackendSet.StartAsync(3);
        var config = TestConfig.Create(FreePort.Next(), backends.All).WithStickySessions();
        config.Balancing()["SessionIdleTimeout"] = "00:00:00.400";
        await using var node = await TestNode.StartAsync(config);
        using var sticky = node.NewClient(cookies: true);
        var owner = await StickToAsync(sticky, requests: 2);

        await Task.Delay(800); // past 1.25 times the idle timeout: no table entry and no valid hint
        Assert.Equal(BackendChange.Done, node.Registry.SetAdminState("web", owner, BackendAdminState.Drain));

        Assert.NotEqual(owner, await StickToAsync(sticky, requests: 2)); // balanced afresh, and drain takes no new sessions
    }

    private static IEnumerable<string> StoreKeys(Core.State.InMemorySessionStore store) => store.Keys;
}

using Appliance.Tests.Support;

namespace Appliance.Tests.Http;

/// <summary>ASP.NET Core's AllowedHosts on the data plane: other hosts get 400, and a reload changes the list at once.</summary>
public sealed class AllowedHostsTests
{
    private static async Task<int> StatusForHostAsync(TestNode node, string host) =>
        HttpTestHelpers.StatusOf(await HttpTestHelpers.SendRawAsync(node.Port, $"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));

    [Fact]
    public async Task OnlyListedHostsServed_ReloadChangesTheList_StarAllowsAny()
    {
        await using var backends = await BackendSet.StartAsync(1);
        var config = TestConfig.Create(FreePort.Next(), backends.All);
        config["AllowedHosts"] = "a.example;*.b.example";
        await using var node = await TestNode.StartAsync(config);

        Assert.Equal(200, await StatusForHostAsync(node, "a.example"));
        Assert.Equal(200, await StatusForHostAsync(node, "www.b.example:8080"));
        Assert.Equal(400, await StatusForHostAsync(node, "c.example"));
        var served = backends[0].Requests;

        config["AllowedHosts"] = "c.example";
        Assert.Empty(await node.ReloadAsync(config));
        Assert.Equal(200, await StatusForHostAsync(node, "c.example"));
        Assert.Equal(400, await StatusForHostAsync(node, "a.example"));

        config["AllowedHosts"] = "*";
        Assert.Empty(await node.ReloadAsync(config));
        Assert.Equal(200, await StatusForHostAsync(node, "anything.example"));
        Assert.Equal(served + 2, backends[0].Requests); // refused requests never reached the backend
    }
}

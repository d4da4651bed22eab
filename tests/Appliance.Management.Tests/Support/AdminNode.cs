using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Appliance.Tests.Support;

/// <summary>
/// A real node with three real backends and its admin listener on a second loopback address
/// (127.0.0.2 by default), so a client bound to 127.0.0.3 plays a remote caller. Clusters: "web"
/// (round robin; route /{**rest}), "sticky" (ApplianceCookie sessions; route /sticky/{**rest}) and a
/// rate-limited route /limited/{**rest} to "web" (1 request/s, burst 1). TCP: listener "db" on
/// <see cref="TcpPort"/> forwarding to pool "db" over the same three backends.
/// </summary>
internal sealed class AdminNode : IAsyncDisposable
{
    public const string RemoteAddress = "127.0.0.3";
    public const string Token = "test-admin-token-0123456789abcdef";

    private AdminNode(BackendSet backends, TestNode node, string directory, JsonObject config, string? configPath, int tcpPort)
    {
        TcpPort = tcpPort;
        Backends = backends;
        Node = node;
        Directory = directory;
        Config = config;
        ConfigPath = configPath;
    }

    public BackendSet Backends { get; }

    public TestNode Node { get; }

    public string Directory { get; }

    /// <summary>The configuration the node started with (tests may change a copy and reload).</summary>
    public JsonObject Config { get; }

    /// <summary>The file the node reloads from, when started with one.</summary>
    public string? ConfigPath { get; }

    public Uri AdminUrl => Node.AdminUrl;

    /// <summary>The TCP listener "db" (pool "db").</summary>
    public int TcpPort { get; }

    public string TokenPath => Path.Combine(Directory, "admin.token");

    public static async Task<AdminNode> StartAsync(bool withToken = true, bool withFile = false, string adminHost = "127.0.0.2")
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("appliance-mgmt-test-").FullName;
        var backends = await BackendSet.StartAsync(3);
        var config = TestConfig.Create(FreePort.Next(), backends.All);
        var admin = new JsonObject { ["Address"] = $"{adminHost}:{FreePort.Next()}" };
        if (withToken)
        {
            var tokenPath = Path.Combine(directory, "admin.token");
            await File.WriteAllTextAsync(tokenPath, Token + "\n");
            admin["TokenFile"] = tokenPath;
        }

        config["Admin"] = admin;
        var destinations = new JsonObject();
        foreach (var b in backends.All)
        {
            destinations[b.Name] = new JsonObject { ["Address"] = b.Url.ToString() };
        }

        var proxy = config["ReverseProxy"]!.AsObject();
        proxy["Clusters"]!["sticky"] = new JsonObject
        {
            ["LoadBalancingPolicy"] = "RoundRobin",
            ["SessionAffinity"] = new JsonObject { ["Enabled"] = true, ["Policy"] = "ApplianceCookie", ["AffinityKeyName"] = "sticky" },
            ["Destinations"] = destinations,
        };
        proxy["Routes"]!["sticky"] = new JsonObject
        {
            ["ClusterId"] = "sticky",
            ["Match"] = new JsonObject { ["Path"] = "/sticky/{**rest}" },
        };
        proxy["Routes"]!["limited"] = new JsonObject
        {
            ["ClusterId"] = "web",
            ["Match"] = new JsonObject { ["Path"] = "/limited/{**rest}" },
        };
        config["Balancing"] = new JsonObject
        {
            ["Routes"] = new JsonObject { ["limited"] = new JsonObject { ["RateLimit"] = new JsonObject { ["RequestsPerSecond"] = 1, ["Burst"] = 1 } } },
        };

        var tcpPort = FreePort.Next();
        var tcpBackends = new JsonObject();
        foreach (var b in backends.All)
        {
            tcpBackends[b.Name] = new JsonObject { ["Address"] = $"{b.Url.Host}:{b.Url.Port}" };
        }

        config["Tcp"] = new JsonObject
        {
            ["Listeners"] = new JsonObject { ["db"] = new JsonObject { ["Address"] = $"127.0.0.1:{tcpPort}", ["Pool"] = "db" } },
            ["Pools"] = new JsonObject { ["db"] = new JsonObject { ["Policy"] = "RoundRobin", ["Backends"] = tcpBackends } },
        };

        var configPath = withFile ? Path.Combine(directory, "appliance.json") : null;
        var node = await TestNode.StartAsync(config, configPath);
        return new AdminNode(backends, node, directory, config, configPath, tcpPort);
    }

    /// <summary>A client of the admin API from this host (source 127.0.0.1: a local caller).</summary>
    public HttpClient Local(string? token = null) => Client(null, token);

    /// <summary>A client of the admin API from 127.0.0.3: a remote caller.</summary>
    public HttpClient Remote(string? token = null) => Client(IPAddress.Parse(RemoteAddress), token);

    /// <summary>A client of the data plane (the node's client listener).</summary>
    public HttpClient Data(bool cookies = false) => Node.NewClient(cookies);

    /// <summary>Sends <paramref name="count"/> GETs to the data plane and returns how many each backend answered.</summary>
    public async Task<Dictionary<string, int>> TrafficAsync(int count, string path = "/")
    {
        using var client = Data();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var (status, backend) = await TestNode.GetAsync(client, path);
            Assert.Equal(200, status);
            seen[backend!] = seen.GetValueOrDefault(backend!) + 1;
        }

        return seen;
    }

    private HttpClient Client(IPAddress? source, string? token)
    {
        var handler = new SocketsHttpHandler { UseCookies = false, UseProxy = false };
        if (source is not null)
        {
            handler.ConnectCallback = SourceAddress.Connect(source);
        }

        var client = new HttpClient(handler) { BaseAddress = AdminUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        await Backends.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // left to the OS's temp cleanup
        }
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Appliance.Core.Configuration;
using Appliance.Core.State;
using Appliance.Node.Hosting;
using Appliance.Proxy;
using Appliance.Proxy.Model;
using Appliance.Proxy.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Tests.Support;

/// <summary>
/// A real node (Kestrel + YARP + our pipeline) hosted in the test process on a loopback port,
/// built by the same composition root as <c>applianced run</c>.
/// </summary>
internal sealed class TestNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestNode(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
    }

    public int Port { get; }

    public Uri BaseUrl { get; }

    /// <summary>The admin listener's base address, e.g. <c>http://127.0.0.2:40123/</c>.</summary>
    public Uri AdminUrl => new($"http://{Services.GetRequiredService<ConfigStore>().Current.Admin.Address}/");

    public IServiceProvider Services => _app.Services;

    public BackendRegistry Registry => Services.GetRequiredService<BackendRegistry>();

    public ProxyConfigurator Configurator => Services.GetRequiredService<ProxyConfigurator>();

    public TcpPoolRegistry TcpPools => Services.GetRequiredService<TcpPoolRegistry>();

    public IConnectionCounts Counts => Services.GetRequiredService<IConnectionCounts>();

    /// <summary>A running TCP listener by name.</summary>
    public TcpListenerRuntime TcpListener(string name = "front") =>
        Services.GetRequiredService<TcpListenerManager>().Find(name) ?? throw new InvalidOperationException($"no TCP listener '{name}' runs");

    /// <summary>
    /// Starts a node from a JSON tree; the first HTTP listener's port is where it serves (0 when it
    /// has none). With <paramref name="configPath"/>, the tree is written there first and the node
    /// reloads from it (file changes, SIGHUP, the admin API) as <c>applianced run</c> does.
    /// </summary>
    public static async Task<TestNode> StartAsync(JsonObject config, string? configPath = null)
    {
        var loaded = ConfigLoader.Parse(config.ToJsonString());
        Assert.True(loaded.Succeeded, "test configuration invalid: " + string.Join("; ", loaded.Errors));
        if (configPath is not null)
        {
            await File.WriteAllTextAsync(configPath, config.ToJsonString());
        }

        var app = await NodeHost.BuildAsync(loaded.Config!, configPath, LogLevel.Warning);
        await app.StartAsync();
        var address = loaded.Config!.Listeners.Count > 0 ? loaded.Config.Listeners[0].Address : ":0";
        return new TestNode(app, int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A client with its own cookie jar (a browser-like sticky client) or none.</summary>
    public HttpClient NewClient(bool cookies = false) =>
        new(new SocketsHttpHandler { UseCookies = cookies, CookieContainer = new CookieContainer(), PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = BaseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>Sends a GET and returns the answering backend's name (X-Backend) and status.</summary>
    public static async Task<(int Status, string? Backend)> GetAsync(HttpClient client, string path = "/")
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var backend = response.Headers.TryGetValues("X-Backend", out var values) ? values.First() : null;
        return ((int)response.StatusCode, backend);
    }

    /// <summary>Applies a changed configuration as a reload would.</summary>
    public async Task<IReadOnlyList<ConfigError>> ReloadAsync(JsonObject config)
    {
        var loaded = ConfigLoader.Parse(config.ToJsonString());
        return loaded.Config is { } c ? await Configurator.TryApplyAsync(c) : loaded.Errors;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Tests.Support;

/// <summary>
/// A real Kestrel backend on a free loopback port whose endpoints the test maps itself (when the
/// demo backend's fixed ones do not fit: streamed bodies, WebSockets, echoes of the body).
/// </summary>
internal sealed class KestrelTestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelTestBackend(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>Base address, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Url { get; }

    public static async Task<KestrelTestBackend> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelTestBackend(app, new Uri(bound.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

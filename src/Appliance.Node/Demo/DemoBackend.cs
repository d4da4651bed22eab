using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Node.Demo;

/// <summary>
/// A small real Kestrel backend on loopback that answers with its own name: used by
/// <c>applianced demo</c> and by the tests. <c>/</c> greets, <c>/health</c> reports health,
/// <c>/echo</c> returns what arrived (method, path, headers), <c>/slow?ms=N</c> waits first.
/// Health and failure can be switched at runtime to play a sick backend.
/// </summary>
public sealed class DemoBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _requests;
    private int _inFlight;
    private int _maxInFlight;

    private DemoBackend(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }

    /// <summary>Base address, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>What /health answers: 200 when true, 503 when false.</summary>
    public bool Healthy { get; set; } = true;

    /// <summary>When set, every non-health request answers this status.</summary>
    public int? FailWith { get; set; }

    /// <summary>Requests served, health probes excluded.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Highest number of requests in flight at once, health probes excluded.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public static async Task<DemoBackend> StartAsync(string name, int port = 0, IPAddress? address = null)
    {
        var backend = await StartAsync(name, k => k.Listen(address ?? IPAddress.Loopback, port)).ConfigureAwait(false);
        var bound = backend._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        backend.Url = new Uri(bound.EndsWith('/') ? bound : bound + "/");
        return backend;
    }

    /// <summary>
    /// A backend on a socket that is already bound and listening (e.g. one made inside a network
    /// namespace by a test); Kestrel takes the handle over. <paramref name="url"/> is where it answers.
    /// </summary>
    public static async Task<DemoBackend> StartOnHandleAsync(string name, ulong listeningHandle, Uri url)
    {
        var backend = await StartAsync(name, k => k.ListenHandle(listeningHandle)).ConfigureAwait(false);
        backend.Url = url;
        return backend;
    }

    private static async Task<DemoBackend> StartAsync(string name, Action<KestrelServerOptions> listen)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            listen(k);
        });
        var app = builder.Build();
        var backend = new DemoBackend(name, app);
        backend.Map(app);
        await app.StartAsync().ConfigureAwait(false);
        return backend;
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/health", (HttpContext c) =>
        {
            c.Response.StatusCode = Healthy ? 200 : 503;
            return c.Response.WriteAsync(Healthy ? "ok\n" : "sick\n");
        });
        app.Map("/{**path}", HandleAsync);
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }

        try
        {
            if (int.TryParse(context.Request.Query["ms"], out var ms) && ms > 0)
            {
                await Task.Delay(Math.Min(ms, 60_000), context.RequestAborted).ConfigureAwait(false);
            }

            context.Response.Headers["X-Backend"] = Name;
            if (FailWith is { } status)
            {
                context.Response.StatusCode = status;
                await context.Response.WriteAsync($"{Name} failing with {status}\n").ConfigureAwait(false);
                return;
            }

            if (context.Request.Path.StartsWithSegments("/echo", StringComparison.Ordinal))
            {
                context.Response.ContentType = "application/json";
                await JsonSerializer.SerializeAsync(context.Response.Body, new
                {
                    backend = Name,
                    method = context.Request.Method,
                    path = context.Request.Path.Value,
                    query = context.Request.QueryString.Value,
                    headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()),
                }).ConfigureAwait(false);
                return;
            }

            await context.Response.WriteAsync($"Hello from {Name}\n").ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

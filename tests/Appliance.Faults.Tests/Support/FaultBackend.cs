using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Appliance.Tests.Support;

/// <summary>What a <see cref="FaultBackend"/> does to every request, its health probes included.</summary>
internal enum BackendFault
{
    /// <summary>Answers at once: 200 with its name (and a Content-Length, so raw clients can read it).</summary>
    None,

    /// <summary>Answers after <see cref="FaultBackend.SlowBy"/>.</summary>
    Slow,

    /// <summary>Answers 500.</summary>
    ServerError,

    /// <summary>Accepts and reads the request, then never answers.</summary>
    Hang,
}

/// <summary>
/// A real Kestrel backend on a fixed loopback port that can be made slow, failing or hanging at
/// runtime, and crashed (listener closed, open connections cut) and restarted on the same port.
/// It records when each health probe arrived and every request path it saw, so tests can say how
/// many checks a fault took to be noticed and that a refused request never arrived.
/// </summary>
internal sealed class FaultBackend : IAsyncDisposable
{
    private readonly ConcurrentQueue<long> _probes = new();
    private readonly ConcurrentQueue<string> _paths = new();
    private readonly ConcurrentQueue<string> _completed = new();
    private readonly CancellationTokenSource _hangs = new();
    private WebApplication? _app;
    private long _requests;
    private int _fault;

    private FaultBackend(string name, int port)
    {
        Name = name;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public BackendFault Fault
    {
        get => (BackendFault)Volatile.Read(ref _fault);
        set => Volatile.Write(ref _fault, (int)value);
    }

    public TimeSpan SlowBy { get; set; } = TimeSpan.FromSeconds(2);

    public bool Running => _app is not null;

    /// <summary>Requests served or held, health probes excluded.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Every request path seen (health probes excluded), in arrival order.</summary>
    public IReadOnlyCollection<string> Paths => _paths;

    /// <summary>Paths of the requests whose body (if any) arrived whole, in order.</summary>
    public IReadOnlyCollection<string> Completed => _completed;

    /// <summary>Health probes that arrived at or after <paramref name="timestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public int ProbesSince(long timestamp) => _probes.Count(p => p >= timestamp);

    public static async Task<FaultBackend> StartAsync(string name)
    {
        // Kestrel on port 0 would pick a new port on each restart; the node's configuration needs one.
        for (var attempt = 0; ; attempt++)
        {
            var backend = new FaultBackend(name, FreePort.Next());
            try
            {
                await backend.StartListeningAsync();
                return backend;
            }
            catch (IOException) when (attempt < 5)
            {
                await backend.DisposeAsync(); // the port was taken in between: another one
            }
        }
    }

    /// <summary>The process dies: the listener closes (connects are refused) and open connections are cut.</summary>
    public async Task CrashAsync()
    {
        if (_app is not { } app)
        {
            return;
        }

        _app = null;
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        try
        {
            await app.StopAsync(now.Token); // cancelled at once: no graceful drain
        }
        catch (OperationCanceledException)
        {
        }

        await app.DisposeAsync();
    }

    /// <summary>Comes back on the same port (retried for a while: the port may linger briefly).</summary>
    public async Task RestartAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await StartListeningAsync();
                return;
            }
            catch (IOException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100);
            }
        }
    }

    private async Task StartListeningAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, Port);
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        _app = app;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var probe = context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal);
        if (probe)
        {
            _probes.Enqueue(Stopwatch.GetTimestamp());
        }
        else
        {
            Interlocked.Increment(ref _requests);
            _paths.Enqueue(context.Request.Path.Value ?? "");
        }

        switch (Fault)
        {
            case BackendFault.Hang:
                using (var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _hangs.Token))
                {
                    await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }

                context.Abort();
                return;
            case BackendFault.Slow:
                await Task.Delay(SlowBy, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                break;
            case BackendFault.ServerError:
                await WriteAsync(context, 500, $"{Name} failing\n");
                return;
        }

        if (context.Request.ContentLength is > 0 || context.Request.Headers.ContainsKey("Transfer-Encoding"))
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
        }

        if (!probe)
        {
            _completed.Enqueue(context.Request.Path.Value ?? "");
        }

        if (context.Request.Path.StartsWithSegments("/echo", StringComparison.Ordinal))
        {
            // What arrived, header by header (repeated headers joined with ", " as HTTP does).
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            await WriteAsync(context, 200, JsonSerializer.Serialize(headers));
            return;
        }

        await WriteAsync(context, 200, probe ? "ok\n" : $"Hello from {Name}\n");
    }

    private async Task WriteAsync(HttpContext context, int status, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        context.Response.StatusCode = status;
        context.Response.Headers["X-Backend"] = Name;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _hangs.CancelAsync();
        await CrashAsync();
        _hangs.Dispose();
    }
}

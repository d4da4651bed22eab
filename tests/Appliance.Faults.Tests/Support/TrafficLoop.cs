using System.Collections.Concurrent;
using System.Diagnostics;

namespace Appliance.Tests.Support;

/// <summary>One request of a <see cref="TrafficLoop"/>: when it started (since the loop began), how long it took, what came back.</summary>
/// <param name="Status">The HTTP status, or 0 when no answer came (an exception, see <paramref name="Error"/>).</param>
internal sealed record RequestResult(TimeSpan Started, TimeSpan Latency, int Status, string? Backend, string? Error)
{
    public TimeSpan Ended => Started + Latency;
}

/// <summary>
/// Client traffic through a node while a fault is injected: a few workers send GETs one after the
/// other (a short pause between, so the loop does not take the machine's two cores from the node),
/// each with a generous client timeout, and every outcome is kept. Bounded in count and time.
/// </summary>
internal sealed class TrafficLoop : IAsyncDisposable
{
    private readonly ConcurrentQueue<RequestResult> _results = new();
    private readonly CancellationTokenSource _stop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly HttpClient _client;
    private readonly Task[] _workers;
    private int _budget;

    private TrafficLoop(Uri url, int workers, int maxRequests, TimeSpan maxDuration, TimeSpan requestTimeout, TimeSpan pause)
    {
        _budget = maxRequests;
        _stop = new CancellationTokenSource(maxDuration);
        _client = new HttpClient(new SocketsHttpHandler { UseCookies = false, UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = url,
            Timeout = requestTimeout,
        };
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(() => RunAsync(pause))).ToArray();
    }

    /// <summary>Time since the loop started, on the clock its results use.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<RequestResult> Results => [.. _results];

    public static TrafficLoop Start(Uri url, int workers = 4, int maxRequests = 200_000, TimeSpan? maxDuration = null,
        TimeSpan? requestTimeout = null, TimeSpan? pause = null) =>
        new(url, workers, maxRequests, maxDuration ?? TimeSpan.FromMinutes(2), requestTimeout ?? TimeSpan.FromSeconds(60), pause ?? TimeSpan.FromMilliseconds(2));

    private async Task RunAsync(TimeSpan pause)
    {
        while (!_stop.IsCancellationRequested && Interlocked.Decrement(ref _budget) >= 0)
        {
            var started = _clock.Elapsed;
            try
            {
                using var response = await _client.GetAsync(new Uri("/traffic", UriKind.Relative), _stop.Token);
                await response.Content.ReadAsByteArrayAsync(_stop.Token);
                var backend = response.Headers.TryGetValues("X-Backend", out var values) ? values.First() : null;
                _results.Enqueue(new RequestResult(started, _clock.Elapsed - started, (int)response.StatusCode, backend, null));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return; // the loop stops: a request cut short by us is no result
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                _results.Enqueue(new RequestResult(started, _clock.Elapsed - started, 0, null, e.GetType().Name + ": " + e.Message));
            }

            try
            {
                await Task.Delay(pause, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task<IReadOnlyList<RequestResult>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        return Results;
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the results, failing after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<RequestResult>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition(Results))
        {
            Assert.True(deadline.Elapsed < timeout, $"timed out after {timeout.TotalSeconds:0} s waiting until {what}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _client.Dispose();
    }
}

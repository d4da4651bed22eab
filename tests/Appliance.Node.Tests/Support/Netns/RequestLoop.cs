using System.Diagnostics;

namespace Appliance.Tests.Support.Netns;

/// <summary>One request of a <see cref="RequestLoop"/>: when it ended, whether it got a 200, which backend answered, and how many tries it took.</summary>
internal readonly record struct RequestSample(TimeSpan At, bool Ok, string? Backend, string? Cookie, string? Error, int Tries = 1)
{
    /// <summary>An HTTP answer came (any status); false when the connection failed or the request timed out.</summary>
    public bool Answered { get; init; }
}

/// <summary>
/// A client that keeps asking one URL (through keep-alive connections made in the client's
/// namespace) every <c>pause</c>, cycling through the given cookies, and records every outcome.
/// Bounded: it stops at <see cref="Dispose"/>, after <c>maxRequests</c>, or after <c>maxDuration</c>.
/// With <c>retries</c> &gt; 0 a request that got no answer at all (connection reset or refused, or
/// timed out) is tried again after <c>retryPause</c> (at once by default), as a keep-alive client
/// retries an idempotent request whose pooled connection was closed; an HTTP answer, even an
/// error, is never retried. With several URLs each retry goes to the next one (as a client of a DNS
/// round robin tries the next address), and request i starts at URL i mod n. Only the last try is
/// recorded, with the number of tries.
/// </summary>
internal sealed class RequestLoop : IDisposable
{
    private readonly List<RequestSample> _samples = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _loop;
    private int _disposed;

    public RequestLoop(NetnsHost client, Uri url, IReadOnlyList<string> cookies, int retries = 0,
        TimeSpan? pause = null, TimeSpan? timeout = null, int maxRequests = 20_000, TimeSpan? maxDuration = null, TimeSpan? retryPause = null)
        : this(client, [url], cookies, retries, pause, timeout, maxRequests, maxDuration, retryPause)
    {
    }

    public RequestLoop(NetnsHost client, IReadOnlyList<Uri> urls, IReadOnlyList<string> cookies, int retries = 0,
        TimeSpan? pause = null, TimeSpan? timeout = null, int maxRequests = 20_000, TimeSpan? maxDuration = null, TimeSpan? retryPause = null)
    {
        var http = client.HttpClient(timeout ?? TimeSpan.FromMilliseconds(500));
        var settings = new Settings(urls, cookies, retries, pause ?? TimeSpan.FromMilliseconds(20), retryPause ?? TimeSpan.Zero, maxRequests, maxDuration ?? TimeSpan.FromMinutes(3));
        _loop = Task.Run(() => RunAsync(http, settings));
    }

    /// <summary>Time since the loop started (the samples' clock).</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<RequestSample> Samples
    {
        get
        {
            lock (_lock)
            {
                return [.. _samples];
            }
        }
    }

    /// <summary>Samples from <paramref name="from"/> on.</summary>
    public IReadOnlyList<RequestSample> Since(TimeSpan from) => [.. Samples.Where(s => s.At >= from)];

    /// <summary>The longest time from <paramref name="from"/> (or a success) to the next success, over the samples since <paramref name="from"/>.</summary>
    public static TimeSpan LongestGap(IReadOnlyList<RequestSample> samples, TimeSpan from)
    {
        var longest = TimeSpan.Zero;
        var last = from;
        foreach (var s in samples.Where(s => s.Ok))
        {
            longest = s.At - last > longest ? s.At - last : longest;
            last = s.At;
        }

        return longest;
    }

    /// <summary>Waits until a request that started after now has succeeded (bounded).</summary>
    public async Task WaitForSuccessAsync(TimeSpan timeout)
    {
        var from = Now;
        var deadline = from + timeout;
        while (!Since(from).Any(s => s.Ok))
        {
            Assert.True(Now < deadline, $"no successful request through the VIP within {timeout.TotalSeconds} s; last errors: {string.Join(" | ", Samples.TakeLast(3).Select(s => s.Error))}");
            await Task.Delay(50);
        }
    }

    private sealed record Settings(IReadOnlyList<Uri> Urls, IReadOnlyList<string> Cookies, int Retries, TimeSpan Pause, TimeSpan RetryPause, int MaxRequests, TimeSpan MaxDuration);

    private async Task RunAsync(HttpClient http, Settings s)
    {
        using (http)
        {
            for (var i = 0; i < s.MaxRequests && !_stop.IsCancellationRequested && _clock.Elapsed < s.MaxDuration; i++)
            {
                var cookie = s.Cookies.Count == 0 ? null : s.Cookies[i % s.Cookies.Count];
                RequestSample sample = default;
                for (var attempt = 0; attempt <= s.Retries; attempt++)
                {
                    if (attempt > 0 && !await PauseAsync(s.RetryPause))
                    {
                        break;
                    }

                    if (await OnceAsync(http, s.Urls[(i + attempt) % s.Urls.Count], cookie) is not { } once)
                    {
                        return; // stopped mid-request: no outcome to record
                    }

                    sample = once with { Tries = attempt + 1 };
                    if (sample.Ok || sample.Answered)
                    {
                        break;
                    }
                }

                lock (_lock)
                {
                    _samples.Add(sample);
                }

                if (!await PauseAsync(s.Pause))
                {
                    break;
                }
            }
        }
    }

    /// <summary>Waits <paramref name="pause"/>; false when the loop was stopped meanwhile.</summary>
    private async Task<bool> PauseAsync(TimeSpan pause)
    {
        try
        {
            await Task.Delay(pause, _stop.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One try; null when the loop was stopped while it was under way.</summary>
    private async Task<RequestSample?> OnceAsync(HttpClient http, Uri url, string? cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        try
        {
            using var response = await http.SendAsync(request, _stop.Token);
            var backend = response.Headers.TryGetValues("X-Backend", out var values) ? values.First() : null;
            return new RequestSample(_clock.Elapsed, response.IsSuccessStatusCode, backend, cookie, response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}") { Answered = true };
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new RequestSample(_clock.Elapsed, false, null, cookie, e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>Stops the loop (waits for it, bounded); safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // the loop records its own failures; a cancelled wait is the end we asked for
        }

        _stop.Dispose();
    }
}

using System.Diagnostics;

namespace Appliance.Tests.Support.Netns;

/// <summary>One request of a <see cref="RequestLoop"/>: when it ended, whether it got a 200, and which backend answered.</summary>
internal readonly record struct RequestSample(TimeSpan At, bool Ok, string? Backend, string? Cookie, string? Error);

/// <summary>
/// A client that keeps asking one URL (through keep-alive connections made in the client's
/// namespace) every <c>pause</c>, cycling through the given cookies, and records every outcome.
/// Bounded: it stops at <see cref="Dispose"/>, after <c>maxRequests</c>, or after <c>maxDuration</c>.
/// With <c>retries</c> &gt; 0 a failed request is tried again at once, as a keep-alive client
/// retries a request whose pooled connection was closed; only the last try is recorded.
/// </summary>
internal sealed class RequestLoop : IDisposable
{
    private readonly List<RequestSample> _samples = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _loop;

    public RequestLoop(NetnsHost client, Uri url, IReadOnlyList<string> cookies, int retries = 0,
        TimeSpan? pause = null, TimeSpan? timeout = null, int maxRequests = 20_000, TimeSpan? maxDuration = null)
    {
        var http = client.HttpClient(timeout ?? TimeSpan.FromMilliseconds(500));
        _loop = Task.Run(() => RunAsync(http, url, cookies, retries, pause ?? TimeSpan.FromMilliseconds(20), maxRequests, maxDuration ?? TimeSpan.FromMinutes(3)));
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

    private async Task RunAsync(HttpClient http, Uri url, IReadOnlyList<string> cookies, int retries, TimeSpan pause, int maxRequests, TimeSpan maxDuration)
    {
        using (http)
        {
            for (var i = 0; i < maxRequests && !_stop.IsCancellationRequested && _clock.Elapsed < maxDuration; i++)
            {
                var cookie = cookies.Count == 0 ? null : cookies[i % cookies.Count];
                RequestSample sample = default;
                for (var attempt = 0; attempt <= retries; attempt++)
                {
                    sample = await OnceAsync(http, url, cookie);
                    if (sample.Ok)
                    {
                        break;
                    }
                }

                lock (_lock)
                {
                    _samples.Add(sample);
                }

                try
                {
                    await Task.Delay(pause, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task<RequestSample> OnceAsync(HttpClient http, Uri url, string? cookie)
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
            return new(_clock.Elapsed, response.IsSuccessStatusCode, backend, cookie, response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new(_clock.Elapsed, false, null, cookie, e.GetType().Name + ": " + e.Message);
        }
    }

    public void Dispose()
    {
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

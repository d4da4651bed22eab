using System.Diagnostics;
using Appliance.Tests.Support.Netns;

namespace Appliance.Tests.Support.Degraded;

/// <summary>
/// A client (in the client namespace) that opens new sticky sessions on one node through its HTTP
/// listener: each request without a cookie is pinned to a backend and answered with the
/// <see cref="DegradedCluster.CookieName"/> cookie, which is recorded with the backend that answered.
/// Bounded in time and count.
/// </summary>
internal sealed class SessionWriter(NetnsHost client, Uri node)
{
    private readonly List<(string Cookie, string Backend)> _sessions = [];

    public IReadOnlyList<(string Cookie, string Backend)> Sessions => _sessions;

    /// <summary>Requests that failed or came back without a cookie.</summary>
    public int Failures { get; private set; }

    public async Task RunAsync(TimeSpan duration, int perSecond)
    {
        using var http = client.HttpClient(TimeSpan.FromSeconds(20));
        var clock = Stopwatch.StartNew();
        var limit = (int)(duration.TotalSeconds * perSecond);
        for (var n = 0; n < limit && clock.Elapsed < duration; n++)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(node, $"session/{n}"));
                var cookie = response.Headers.TryGetValues("Set-Cookie", out var values)
                    ? values.Select(Value).FirstOrDefault(v => v is not null)
                    : null;
                var backend = response.Headers.TryGetValues("X-Backend", out var b) ? b.First() : null;
                if (response.IsSuccessStatusCode && cookie is not null && backend is not null)
                {
                    _sessions.Add((cookie, backend));
                }
                else
                {
                    Failures++;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Failures++;
            }

            // Paced to the rate from the start, so a slow answer does not lower it.
            var next = TimeSpan.FromSeconds((n + 1) / (double)perSecond) - clock.Elapsed;
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next);
            }
        }
    }

    private static string? Value(string setCookie)
    {
        var prefix = DegradedCluster.CookieName + "=";
        return setCookie.StartsWith(prefix, StringComparison.Ordinal) ? setCookie[prefix.Length..].Split(';')[0] : null;
    }
}

using System.Diagnostics;
using System.Text.Json;

namespace Appliance.Tests.Support;

/// <summary>A node's cluster counters and member list, read through its admin API (/metrics and /api/v1/cluster/members).</summary>
internal sealed record ClusterReadings(
    double Auth, double Replay, double Malformed, double Oversized, double Received, double Incarnations,
    double ForEarlierIncarnation, double FromDownedIncarnation, string Members)
{
    public double Rejected => Auth + Replay + Malformed + Oversized;

    public static async Task<ClusterReadings> ReadAsync(HttpClient admin)
    {
        var metrics = PrometheusText.Parse(await admin.GetStringAsync(new Uri("metrics", UriKind.Relative)));
        double Rejected(string reason) => metrics.Value("appliance_cluster_frames_rejected_total", ("reason", reason));
        double Stale(string reason) => metrics.Value("appliance_cluster_messages_rejected_total", ("reason", reason));
        using var members = JsonDocument.Parse(await admin.GetStringAsync(new Uri("api/v1/cluster/members", UriKind.Relative)));
        var list = string.Join("; ", members.RootElement.GetProperty("members").EnumerateArray()
            .Select(m => $"{m.GetProperty("name").GetString()} {m.GetProperty("address").GetString()} {m.GetProperty("state").GetString()}")
            .Order(StringComparer.Ordinal));
        return new ClusterReadings(
            Rejected("auth"), Rejected("replay"), Rejected("malformed"), Rejected("oversized"),
            metrics.Value("appliance_cluster_frames_total", ("direction", "received")),
            metrics.Value("appliance_cluster_incarnations_total"),
            Stale("for_earlier_incarnation"), Stale("from_downed_incarnation"),
            list);
    }

    /// <summary>Reads until <paramref name="condition"/> holds; fails after <paramref name="timeoutSeconds"/>.</summary>
    public static async Task<ClusterReadings> WaitForAsync(HttpClient admin, Func<ClusterReadings, bool> condition, string what, int timeoutSeconds = 30)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var readings = await ReadAsync(admin);
            if (condition(readings))
            {
                return readings;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(timeoutSeconds), $"not within {timeoutSeconds} s: {what}; last readings {readings}");
            await Task.Delay(100);
        }
    }

    public static Task<ClusterReadings> WaitForRejectedAsync(HttpClient admin, double total) =>
        WaitForAsync(admin, r => r.Rejected >= total, $"{total} frames counted as rejected");
}

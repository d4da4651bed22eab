using System.Globalization;

namespace Appliance.Tests.Support.Degraded;

/// <summary>What a <see cref="MembershipWatch"/> saw, summed over the three nodes (each as an observer of the others).</summary>
/// <param name="Problems">Every reading in which a node did not list all three members as up or unreachable, with the time.</param>
/// <param name="Readings">How many rounds of readings were taken.</param>
internal sealed record WatchResult(
    double Unreachable, double ReachableAgain, double Down, double Removed, double Rejoins,
    IReadOnlyList<string> Problems, int Readings);

/// <summary>
/// Reads every node's member list and membership counters (appliance_cluster_member_transitions_total,
/// appliance_cluster_incarnations_total; Akka does not hand out phi values) every 500 ms until stopped,
/// and keeps every reading where a member was anything but up or unreachable (down, leaving,
/// exiting, missing). Bounded: it stops by itself after an hour.
/// </summary>
internal sealed class MembershipWatch : IAsyncDisposable
{
    private readonly DegradedCluster _cluster;
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromHours(1));
    private readonly List<string> _problems = [];
    private readonly Task _loop;
    private int _readings;

    public MembershipWatch(DegradedCluster cluster)
    {
        _cluster = cluster;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Stops watching, takes a last reading and sums the counters.</summary>
    public async Task<WatchResult> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await ReadMembersAsync();
        var scrapes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_cluster.MetricsAsync));
        double Sum(string to) => scrapes.Sum(s => s.Value("appliance_cluster_member_transitions_total", ("to", to)));
        return new WatchResult(
            Sum("unreachable"), Sum("reachable"), Sum("down"), Sum("removed"),
            scrapes.Sum(s => s.Value("appliance_cluster_incarnations_total") - 1),
            _problems, _readings);
    }

    private async Task LoopAsync()
    {
        var started = DateTime.UtcNow;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await ReadMembersAsync();
                await Task.Delay(500, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (HttpRequestException e)
            {
                // An admin API that does not answer is itself worth reporting (a dead daemon is checked separately).
                _problems.Add($"{(DateTime.UtcNow - started).TotalSeconds:0.0} s: admin API: {e.Message}");
            }
        }
    }

    private async Task ReadMembersAsync()
    {
        _readings++;
        for (var i = 0; i < 3; i++)
        {
            var members = await _cluster.MembersAsync(i);
            if (members.Count != 3 || members.Any(m => !m.EndsWith(" up", StringComparison.Ordinal) && !m.EndsWith(" unreachable", StringComparison.Ordinal)))
            {
                _problems.Add(string.Create(CultureInfo.InvariantCulture, $"reading {_readings}: lb{i + 1} sees {members.Count} members: {string.Join(", ", members)}"));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        _stop.Dispose();
    }
}

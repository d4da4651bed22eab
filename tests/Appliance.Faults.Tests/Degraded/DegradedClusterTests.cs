using System.Diagnostics;
using Appliance.Tests.Support;
using Appliance.Tests.Support.Degraded;
using Xunit.Abstractions;

namespace Appliance.Tests.Degraded;

/// <summary>
/// Issue 9: three nodes with default cluster settings, every link between them degraded as
/// <c>netem delay 100ms 20ms loss 5%</c> would (see <see cref="DegradedLink"/>): no member is ever
/// marked Down or removed, no node rejoins, no daemon dies; sticky sessions written on lb1 through
/// real HTTP reach lb2 and lb3 with the same backend in bounded time after the writes stop, and
/// lb1's in-flight requests show up in the others' replicated connection counts. Unreachable
/// flaps that recover are allowed and recorded.
/// </summary>
[Trait("Category", "Faults")]
[Collection(DegradedCollection.Name)]
public sealed class DegradedClusterTests(ITestOutputHelper output)
{
    [DegradedLinkFact]
    public Task DegradedLinks_40Seconds_NoFalseDown_ReplicationCatchesUp() =>
        RunAsync("degraded links 40 s", total: TimeSpan.FromSeconds(40), writing: TimeSpan.FromSeconds(20), sessionsPerSecond: 10);

    [DegradedLinkFact(Long = "three nodes on degraded links for 5 minutes")]
    public Task DegradedLinks_5Minutes_NoFalseDown_ReplicationCatchesUp() =>
        RunAsync("degraded links 5 min", total: TimeSpan.FromMinutes(5), writing: TimeSpan.FromMinutes(4), sessionsPerSecond: 5);

    /// <summary>The other side: links far worse than the settings tolerate do make members Down, and the watch sees it (so the tests above can fail).</summary>
    [DegradedLinkFact(Long = "three nodes on links losing half their packets")]
    public async Task FarWorseLinks_DownIsSeen()
    {
        await using var cluster = await DegradedCluster.StartAsync();
        cluster.Degrade(LinkFaults.Degraded with { LossPerTenThousand = 5_000 });
        var clock = Stopwatch.StartNew();
        await using var watch = new MembershipWatch(cluster);

        await WaitAsync(
            async () => (await Task.WhenAll(Enumerable.Range(0, 3).Select(cluster.MetricsAsync))).Any(m => m.Value("appliance_cluster_member_transitions_total", ("to", "down")) > 0),
            "a member marked Down over links losing 50% of their packets", cluster, TimeSpan.FromSeconds(120));
        var final = await watch.StopAsync();

        Figures.Record(output, "far worse links (50% loss)", "first Down after", clock.Elapsed.TotalMilliseconds, "ms");
        Assert.True(final.Down > 0 && final.Unreachable > 0, $"down {final.Down}, unreachable {final.Unreachable}");
    }

    private async Task RunAsync(string test, TimeSpan total, TimeSpan writing, int sessionsPerSecond)
    {
        await using var cluster = await DegradedCluster.StartAsync();
        cluster.Degrade(LinkFaults.Degraded);
        var clock = Stopwatch.StartNew();
        await using var watch = new MembershipWatch(cluster);

        // The link as a packet sees it, measured on the cluster port (UDP: the daemons use only TCP there).
        LinkProbe.ProbeResult rtt;
        using (new UdpEcho(cluster.Net.Balancers[1], DegradedCluster.ClusterPort))
        {
            rtt = await LinkProbe.UdpAsync(cluster.Net.Balancers[0], cluster.Net.Balancers[1], DegradedCluster.ClusterPort, count: 200);
        }

        var writer = new SessionWriter(cluster.Net.Client, cluster.HttpUrl(0));
        await writer.RunAsync(writing, sessionsPerSecond);
        var written = writer.Sessions;
        var catchUp = await CatchUpAsync(cluster, written);
        var (countsSeen, countsCleared) = await ConnectionCountsAsync(cluster);

        var rest = total - clock.Elapsed;
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest);
        }

        // A flap still in progress at the end may finish: every node must see all three up and reachable (bounded).
        await WaitAsync(
            async () => (await Task.WhenAll(Enumerable.Range(0, 3).Select(cluster.MembersAsync))).All(m => m.Count == 3 && m.All(x => x.EndsWith(" up", StringComparison.Ordinal))),
            "every node sees all three members up and reachable", cluster);
        var final = await watch.StopAsync();
        var counters = cluster.Links.Select(l => l.Counters()).ToList();
        var lossRate = (double)counters.Sum(c => c.Lost) / Math.Max(1, counters.Sum(c => c.Seen));
        var flapLines = cluster.Daemons.Sum(d => CountLines(d.Output, "is unreachable"));

        Figures.Record(output, test, "cluster-port RTT, median", rtt.Median, "ms");
        Figures.Record(output, test, "cluster-port RTT, max", rtt.Max, "ms");
        Figures.Record(output, test, "cluster packets lost, per direction", lossRate * 100, "%");
        Figures.Record(output, test, "cluster packets through the loss rule", counters.Sum(c => c.Seen), "packets");
        Figures.Record(output, test, "sessions written on lb1", written.Count, "sessions");
        Figures.Record(output, test, "replication catch-up after the last write", catchUp.TotalMilliseconds, "ms");
        Figures.Record(output, test, "connection counts visible on the others", countsSeen.TotalMilliseconds, "ms");
        Figures.Record(output, test, "connection counts back to 0 everywhere", countsCleared.TotalMilliseconds, "ms");
        Figures.Record(output, test, "unreachable flaps (all observers)", final.Unreachable, "transitions");
        Figures.Record(output, test, "delayer release late, max", cluster.Links.Max(l => l.Delayer.MaxLate.TotalMilliseconds), "ms");
        Figures.Record(output, test, "packets released over 100 ms late (machine load, not the link)", cluster.Links.Sum(l => l.Delayer.Late.Over100Ms), "packets");
        output.WriteLine($"readings: {final.Readings}; unreachable log lines {flapLines}; delayer overflows {cluster.Links.Sum(l => l.Delayer.Overflows)}, "
            + $"released over 20 ms late {cluster.Links.Sum(l => l.Delayer.Late.Over20Ms)}, realtime {cluster.Links.All(l => l.Delayer.Realtime)}; writes failed {writer.Failures}");
        foreach (var problem in final.Problems.Take(20))
        {
            output.WriteLine("seen: " + problem);
        }

        Assert.True(rtt.Median >= 180, $"the links are not degraded: cluster-port RTT {rtt.Median:0.0} ms");
        Assert.InRange(lossRate, 0.03, 0.07);
        Assert.Equal(0, final.Down);
        Assert.Equal(0, final.Removed);
        Assert.Equal(0, final.Rejoins);
        Assert.True(final.Problems.All(p => !p.Contains(" down", StringComparison.Ordinal) && !p.Contains("members", StringComparison.Ordinal)),
            $"a member was lost: {string.Join(" | ", final.Problems.Take(5))}\n{cluster.Logs()}");
        Assert.All(cluster.Daemons, d => Assert.False(d.HasExited, $"a daemon died\n{cluster.Logs()}"));
        Assert.Equal(0, writer.Failures);
        Assert.Equal(final.Unreachable, final.ReachableAgain); // every flap recovered
    }

    /// <summary>Time from the last write until lb2 and lb3 hold every session; then every session is checked on every node.</summary>
    private static async Task<TimeSpan> CatchUpAsync(DegradedCluster cluster, IReadOnlyList<(string Cookie, string Backend)> written)
    {
        var clock = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(60);
        while (true)
        {
            var counts = await Task.WhenAll(Enumerable.Range(0, 3).Select(cluster.SessionCountAsync));
            if (counts.All(c => c >= written.Count))
            {
                break;
            }

            Assert.True(clock.Elapsed < limit, $"not caught up in {limit.TotalSeconds} s: {written.Count} written, nodes hold [{string.Join(", ", counts)}]\n{cluster.Logs()}");
            await Task.Delay(50);
        }

        var caughtUp = clock.Elapsed;
        foreach (var (cookie, backend) in written)
        {
            var pins = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => cluster.SessionBackendAsync(i, cookie)));
            Assert.True(pins.All(p => p == backend), $"session {cookie} answered by {backend}: lb1 pins {pins[0]}, lb2 {pins[1]}, lb3 {pins[2]}");
        }

        return caughtUp;
    }

    /// <summary>Six requests held open through lb1: how long until lb2 and lb3 count them, and until every node counts 0 again after they end.</summary>
    private static async Task<(TimeSpan Seen, TimeSpan Cleared)> ConnectionCountsAsync(DegradedCluster cluster)
    {
        const int Held = 6;
        using var http = cluster.Net.Client.HttpClient(TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        var requests = Enumerable.Range(0, Held).Select(i => http.GetAsync(new Uri(cluster.HttpUrl(0), $"held/{i}?ms=8000"))).ToList();
        var seen = await WaitAsync(async () => (await Task.WhenAll(cluster.ClusterInFlightAsync(1), cluster.ClusterInFlightAsync(2))).All(n => n == Held), "lb2 and lb3 count lb1's 6 requests", cluster);
        foreach (var response in await Task.WhenAll(requests))
        {
            Assert.True(response.IsSuccessStatusCode, $"held request answered {(int)response.StatusCode}");
            response.Dispose();
        }

        clock.Restart();
        var cleared = await WaitAsync(async () => (await Task.WhenAll(Enumerable.Range(0, 3).Select(cluster.ClusterInFlightAsync))).All(n => n == 0), "every node counts 0 in flight", cluster);
        return (seen, cleared);
    }

    private static async Task<TimeSpan> WaitAsync(Func<Task<bool>> condition, string what, DegradedCluster cluster, TimeSpan? limit = null)
    {
        var clock = Stopwatch.StartNew();
        var bound = limit ?? TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(clock.Elapsed < bound, $"not within {bound.TotalSeconds} s: {what}\n{cluster.Logs()}");
            await Task.Delay(50);
        }

        return clock.Elapsed;
    }

    private static int CountLines(string text, string what) => text.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));
}

/// <summary>The degraded-cluster tests build three daemons and load the machine: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DegradedCollection
{
    public const string Name = "degraded links";
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;
using Xunit.Abstractions;
using static Appliance.Tests.Backends.BackendRig;

namespace Appliance.Tests.Backends;

/// <summary>
/// One backend of two goes wrong while clients send traffic through a real node: it crashes, hangs,
/// slows down, fails with 500s or flaps. Each time the node must take it out within its configured
/// checks, no client request may wait past its timeout, and a backend that comes back must get
/// traffic gradually (slow start). Figures: time to notice, checks used, client-visible errors.
/// </summary>
[Trait("Category", "Faults")]
public sealed class BackendFaultTests(ITestOutputHelper output)
{
    private void Figure(string test, string figure, double value, string unit) => Figures.Record(output, "backend " + test, figure, value, unit);

    [Fact]
    public async Task Crash_OutWithinFallChecks_ClientsRetriedElsewhere_SlowStartOnReturn()
    {
        await using var rig = await StartAsync();
        var crashedAt = rig.Traffic.Now;
        var since = Stopwatch.GetTimestamp();

        await rig.Faulty.CrashAsync();
        var detected = await rig.WaitUntilOutAsync(since, Fall * Interval + ProbeTimeout + Slack);
        await Task.Delay(500);

        var restartedAt = rig.Traffic.Now;
        since = Stopwatch.GetTimestamp();
        await rig.Faulty.RestartAsync();
        var back = await rig.WaitUntilBackAsync(since, Rise * Interval + ProbeTimeout + Slack);
        await rig.Traffic.WaitUntilAsync(r => r.Any(x => x.Started > restartedAt && x.Backend == "faulty"), Slack, "the restarted backend gets traffic");
        var firstAfter = rig.Traffic.Results.Where(x => x.Started > restartedAt && x.Backend == "faulty").Min(x => x.Started);
        await Task.Delay(SlowStart + TimeSpan.FromSeconds(2.5) - (rig.Traffic.Now - firstAfter));
        var results = await rig.Traffic.StopAsync();

        var failed = results.Where(r => r.Status != 200).ToList();
        var (early, earlyCount) = FaultyShare(results, firstAfter, firstAfter + TimeSpan.FromSeconds(1));
        var (late, lateCount) = FaultyShare(results, firstAfter + SlowStart + TimeSpan.FromSeconds(0.5), firstAfter + SlowStart + TimeSpan.FromSeconds(2.5));
        Figure("crash", "time to mark down", detected.TotalMilliseconds, "ms");
        Figure("crash", "time to mark up after restart", back.TotalMilliseconds, "ms");
        Figure("crash", "requests failed (of " + results.Count + ")", failed.Count, "requests");
        Figure("crash", "share of the returning backend, 1st second", early * 100, "%");
        Figure("crash", "share of the returning backend, after the ramp", late * 100, "%");

        // Connects to the dead backend fail fast and idempotent requests are retried on the other:
        // at most the requests caught mid-answer by the crash may fail.
        Assert.True(failed.Count <= Workers, $"{failed.Count} requests failed: {string.Join("; ", failed.Take(5).Select(f => $"{f.Status} {f.Error}"))}");
        Assert.True(failed.All(f => f.Started <= crashedAt + detected), "a request failed after the crash had been noticed");
        AssertNoneWaitedPast(results, ActivityTimeout);
        AssertSlowStart(early, earlyCount, late, lateCount);
    }

    [Fact]
    public async Task Hang_OutWithinFallChecks_NoRequestWaitsPastTheActivityTimeout()
    {
        await using var rig = await StartAsync();
        var since = Stopwatch.GetTimestamp();

        rig.Faulty.Fault = BackendFault.Hang;
        var detected = await rig.WaitUntilOutAsync(since, Fall * (Interval + ProbeTimeout) + Slack);
        var probes = rig.Faulty.ProbesSince(since);
        await Task.Delay(ActivityTimeout + TimeSpan.FromSeconds(0.5)); // requests caught before detection time out
        var reached = rig.Faulty.Requests;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var reachedLater = rig.Faulty.Requests;

        since = Stopwatch.GetTimestamp();
        rig.Faulty.Fault = BackendFault.None;
        var back = await rig.WaitUntilBackAsync(since, Rise * Interval + ProbeTimeout + Slack);
        var results = await rig.Traffic.StopAsync();

        var timedOut = results.Count(r => r.Status == 504);
        Figure("hang", "time to mark down", detected.TotalMilliseconds, "ms");
        Figure("hang", "checks to mark down", probes, "probes");
        Figure("hang", "requests answered 504 after the activity timeout", timedOut, "requests");
        Figure("hang", "slowest request", results.Max(r => r.Latency).TotalMilliseconds, "ms");
        Figure("hang", "time to mark up after recovery", back.TotalMilliseconds, "ms");

        Assert.True(probes <= Fall + 1, $"{probes} probes reached the hanging backend before it was marked down (fall {Fall})");
        Assert.Equal(reached, reachedLater); // out of rotation: nothing new reaches it
        Assert.All(results, r => Assert.True(r.Status is 200 or 504, $"status {r.Status} {r.Error}"));
        Assert.InRange(timedOut, 1, 100);
        AssertNoneWaitedPast(results, ActivityTimeout);
    }

    [FaultFact("slow backend with traffic, about 15 s")]
    public async Task Slow_OutWithinFallChecks_RequestsAlreadySentStillAnswered()
    {
        // The activity timeout is above the backend's 2 s: slow answers are late, not lost.
        await using var rig = await StartAsync(c => c["ReverseProxy"]!["Clusters"]!["web"]!["HttpRequest"]!["ActivityTimeout"] = "00:00:05");
        var since = Stopwatch.GetTimestamp();

        rig.Faulty.Fault = BackendFault.Slow;
        var detected = await rig.WaitUntilOutAsync(since, Fall * (Interval + ProbeTimeout) + Slack);
        var probes = rig.Faulty.ProbesSince(since);
        await Task.Delay(rig.Faulty.SlowBy + TimeSpan.FromSeconds(1));
        since = Stopwatch.GetTimestamp();
        rig.Faulty.Fault = BackendFault.None;
        await rig.WaitUntilBackAsync(since, Rise * Interval + ProbeTimeout + Slack);
        var results = await rig.Traffic.StopAsync();

        var slow = results.Count(r => r.Latency >= rig.Faulty.SlowBy * 0.9);
        Figure("slow", "time to mark down", detected.TotalMilliseconds, "ms");
        Figure("slow", "checks to mark down", probes, "probes");
        Figure("slow", "requests that waited for the slow backend", slow, "requests");
        Figure("slow", "slowest request", results.Max(r => r.Latency).TotalMilliseconds, "ms");

        Assert.True(probes <= Fall + 1, $"{probes} probes reached the slow backend before it was marked down (fall {Fall})");
        Assert.All(results, r => Assert.True(r.Status == 200, $"status {r.Status} {r.Error}"));
        Assert.InRange(slow, 1, 100);
        AssertNoneWaitedPast(results, rig.Faulty.SlowBy);
    }

    [Fact]
    public async Task ServerErrors_EjectedAfterConsecutiveFailures_SlowStartWhenReactivated()
    {
        // Passive checks only: the answers themselves are the evidence.
        await using var rig = await StartAsync(
            c => c["Balancing"]!["Clusters"]!["web"]!["PassiveHealthCheck"] = new JsonObject
            {
                ["Enabled"] = true,
                ["ConsecutiveFailures"] = 3,
                ["CountServerErrors"] = true,
                ["ReactivationPeriod"] = "00:00:03",
            },
            activeChecks: false);
        var failingFrom = rig.Traffic.Now;
        var since = Stopwatch.GetTimestamp();

        rig.Faulty.Fault = BackendFault.ServerError;
        var detected = await rig.WaitUntilOutAsync(since, TimeSpan.FromSeconds(1) + Slack);
        rig.Faulty.Fault = BackendFault.None; // it heals while ejected; traffic comes back after the reactivation period
        await rig.Traffic.WaitUntilAsync(r => r.Any(x => x.Started > failingFrom + detected && x.Backend == "faulty" && x.Status == 200),
            TimeSpan.FromSeconds(3) + Slack, "the reactivated backend gets traffic");
        var firstAfter = rig.Traffic.Results.Where(x => x.Started > failingFrom + detected && x.Backend == "faulty" && x.Status == 200).Min(x => x.Started);
        await Task.Delay(SlowStart + TimeSpan.FromSeconds(2.5) - (rig.Traffic.Now - firstAfter));
        var results = await rig.Traffic.StopAsync();

        var errors = results.Count(r => r.Status == 500);
        var (early, earlyCount) = FaultyShare(results, firstAfter, firstAfter + TimeSpan.FromSeconds(1));
        var (late, lateCount) = FaultyShare(results, firstAfter + SlowStart + TimeSpan.FromSeconds(0.5), firstAfter + SlowStart + TimeSpan.FromSeconds(2.5));
        Figure("500s", "time to eject", detected.TotalMilliseconds, "ms");
        Figure("500s", "500 answers clients saw", errors, "requests");
        Figure("500s", "share of the reactivated backend, 1st second", early * 100, "%");
        Figure("500s", "share of the reactivated backend, after the ramp", late * 100, "%");

        // Three in a row trip the check; requests already on their way may add one per worker.
        Assert.InRange(errors, 3, 3 + Workers);
        AssertNoneWaitedPast(results, ActivityTimeout);
        AssertSlowStart(early, earlyCount, late, lateCount);
    }

    [FaultFact("flapping backend with traffic, about 20 s")]
    public async Task Flapping_EveryDownAndUpNoticed_NoClientErrors()
    {
        await using var rig = await StartAsync();
        var transitions = new List<(bool Available, TimeSpan At)>();
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            var last = true;
            while (!watching.IsCancellationRequested)
            {
                var now = await rig.Node.IsAvailableAsync("web", "faulty");
                if (now != last)
                {
                    transitions.Add((now, rig.Traffic.Now));
                    last = now;
                }

                await Task.Delay(20);
            }
        });

        const int Cycles = 4;
        var phase = TimeSpan.FromSeconds(2.5);
        for (var i = 0; i < Cycles; i++)
        {
            await rig.Faulty.CrashAsync();
            await Task.Delay(phase);
            await rig.Faulty.RestartAsync();
            await Task.Delay(phase);
        }

        await watching.CancelAsync();
        await watcher;
        var results = await rig.Traffic.StopAsync();

        var failed = results.Count(r => r.Status != 200);
        Figure("flapping", $"down/up changes noticed of {2 * Cycles}", transitions.Count, "changes");
        Figure("flapping", "requests failed (of " + results.Count + ")", failed, "requests");
        Assert.True(transitions.Count(t => !t.Available) >= Cycles - 1, $"only {transitions.Count(t => !t.Available)} of {Cycles} crashes were noticed");
        Assert.True(transitions.Count(t => t.Available) >= Cycles - 1, $"only {transitions.Count(t => t.Available)} of {Cycles} returns were noticed");
        Assert.True(failed <= Workers * Cycles, $"{failed} requests failed");
        AssertNoneWaitedPast(results, ActivityTimeout);
    }

    private static void AssertNoneWaitedPast(IReadOnlyList<RequestResult> results, TimeSpan timeout)
    {
        var slowest = results.MaxBy(r => r.Latency)!;
        Assert.True(slowest.Latency <= timeout + Slack,
            $"a request took {slowest.Latency.TotalSeconds:0.00} s (status {slowest.Status}), past the {timeout.TotalSeconds:0.0} s timeout");
    }

    /// <summary>Linear ramp from 5% of the weight: about 10% of the traffic in its first second against an equal peer, half after it.</summary>
    private static void AssertSlowStart(double early, int earlyCount, double late, int lateCount)
    {
        Assert.True(earlyCount >= 20 && lateCount >= 40, $"too little traffic to judge ({earlyCount}, {lateCount} requests)");
        Assert.True(early < 0.3, $"the returning backend took {early:P0} of the traffic in its first second");
        Assert.True(late > 0.35, $"the returning backend took only {late:P0} of the traffic after the ramp");
    }
}

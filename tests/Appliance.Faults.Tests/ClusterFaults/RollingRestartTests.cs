using Appliance.Tests.Support;
using Appliance.Tests.Support.Netns;
using Xunit.Abstractions;
using static Appliance.Tests.ClusterFaults.ClusterFaultLab;

namespace Appliance.Tests.ClusterFaults;

/// <summary>
/// A rolling restart of a three-node cluster under load: each node in turn gets SIGTERM, is started
/// again and must be ready (its start-up sync done) before the next. Sticky clients in the client
/// namespace ask the VIP, and others each node's own address (a DNS round robin: the next request
/// goes to the next node), every 20 ms; a request that gets no answer (connection reset or
/// refused, or no answer in 2 s) is retried, to the next address for the round-robin clients, at
/// most <see cref="Retries"/> times 100 ms apart, as a client retries an idempotent GET. An HTTP
/// error is never retried. No request may fail after its retries, and no client may be answered by
/// another backend than its own. Needs root and iproute2.
/// </summary>
[Collection(nameof(ClusterFaultCollection))]
[Trait("Category", "Faults")]
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    private const int Retries = 5;
    private const int Sessions = 12;

    [ClusterFaultFact]
    public Task RollingRestart_EveryNodeOnce_NoFailedRequestAfterRetry_NoStickyLoss() => RunAsync(Nodes, "cluster rolling restart x3");

    [ClusterFaultFact("ten node restarts in rolling order")]
    public Task RollingRestart_TenRestarts_NoFailedRequestAfterRetry_NoStickyLoss() => RunAsync(10, "cluster rolling restart x10");

    private async Task RunAsync(int restarts, string test)
    {
        await using var lab = await StartAsync();
        var pinned = await lab.Vip.PinAsync(Sessions);
        var cookies = pinned.Keys.ToList();
        var nodes = All.Select(lab.Vip.NodeUrl).ToList();
        List<RequestLoop> loops =
        [
            Loop(lab, [lab.Vip.Url], [.. cookies.Where((_, k) => k % 4 == 0)]),
            Loop(lab, [lab.Vip.Url], [.. cookies.Where((_, k) => k % 4 == 1)]),
            Loop(lab, nodes, [.. cookies.Where((_, k) => k % 4 == 2)]),
            Loop(lab, [.. nodes.Skip(1), nodes[0]], [.. cookies.Where((_, k) => k % 4 == 3)]),
        ];
        try
        {
            foreach (var loop in loops)
            {
                await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(10));
            }

            var stops = new List<double>();
            var ready = new List<double>();
            for (var r = 0; r < restarts; r++)
            {
                var node = r % Nodes;
                var stopping = System.Diagnostics.Stopwatch.StartNew();
                lab.Vip[node].Signal("TERM");
                var code = await lab.Vip[node].WaitForExitAsync(TimeSpan.FromSeconds(30));
                Assert.True(code == 0, $"{Name(node)} exited with {code} on SIGTERM\n{lab.Vip.Logs()}");
                stops.Add(stopping.Elapsed.TotalMilliseconds);

                lab.Vip.Start(node);
                ready.Add((await lab.WaitReadyAsync(node, synced: true)).TotalMilliseconds);
                await lab.WaitMembersUpAsync(All);
                var (owner, _) = await lab.WaitOneOwnerAsync(All);
                lab.AssertAlive();
                output.WriteLine($"restart {r + 1}: {Name(node)} stopped in {stops[^1]:0} ms, ready (synced) {ready[^1]:0} ms after its start; {Name(owner)} holds the VIP");
            }

            await Task.Delay(500);
            foreach (var loop in loops)
            {
                loop.Dispose();
            }

            var samples = loops.SelectMany(l => l.Samples).ToList();
            var failed = samples.Where(s => !s.Ok).ToList();
            var violations = StickyViolations(samples, pinned);
            Figures.Record(output, test, "node restarts (SIGTERM, start, ready)", restarts, "restarts");
            Figures.Record(output, test, "requests (VIP and round robin)", samples.Count, "requests");
            Figures.Record(output, test, "requests that needed a retry, through the VIP", loops.Take(2).Sum(l => l.Samples.Count(s => s.Tries > 1)), "requests");
            Figures.Record(output, test, "requests that needed a retry, round robin", loops.Skip(2).Sum(l => l.Samples.Count(s => s.Tries > 1)), "requests");
            Figures.Record(output, test, "requests failed after retries", failed.Count, "requests");
            Figures.Record(output, test, "sticky violations", violations.Count, "requests");
            Figures.Record(output, test, "graceful stop, median", Median(stops), "ms");
            Figures.Record(output, test, "restarted node ready (synced), median", Median(ready), "ms");
            Figures.Record(output, test, "restarted node ready (synced), max", ready.Max(), "ms");

            Assert.True(failed.Count == 0, $"{failed.Count} of {samples.Count} requests failed after {Retries} retries: {Errors(failed)}\n{lab.Vip.Logs()}");
            AssertNoStickyViolations(violations, pinned);
        }
        finally
        {
            foreach (var loop in loops)
            {
                loop.Dispose();
            }
        }
    }

    private static RequestLoop Loop(ClusterFaultLab lab, IReadOnlyList<Uri> urls, IReadOnlyList<string> cookies) =>
        new(lab.Net.Client, urls, cookies, retries: Retries, timeout: TimeSpan.FromSeconds(2), retryPause: TimeSpan.FromMilliseconds(100),
            maxRequests: 200_000, maxDuration: TimeSpan.FromMinutes(20));
}

using System.Diagnostics;
using Appliance.Tests.Support;
using Appliance.Tests.Support.Netns;
using Appliance.Tests.Vips;
using Xunit.Abstractions;
using static Appliance.Tests.ClusterFaults.ClusterFaultLab;

namespace Appliance.Tests.ClusterFaults;

/// <summary>
/// kill -9 of a node of three, under load, again and again, a different node each time: before
/// each kill the VIP is moved to the victim, so every kill is a failover. Sticky clients ask the
/// VIP from the client namespace every 20 ms (no retry); long requests keep every node's own
/// in-flight count at <see cref="Held"/>. After each kill: the longest time without a successful
/// request through the VIP is under the bound, no client is answered by another backend than its
/// own, the survivors drop the killed node's counts (cluster-wide = the survivors' own), and the
/// restarted node pulls the state and is ready before the next kill. Needs root and iproute2.
/// </summary>
[Collection(nameof(ClusterFaultCollection))]
[Trait("Category", "Faults")]
public sealed class NodeCrashTests(ITestOutputHelper output)
{
    private const int Held = 3;
    private const int Clients = 3;
    private const int Sessions = 12;

    [ClusterFaultFact]
    public Task KillNine_TwiceUnderLoad_VipGapUnderBound_NoStickyLoss_CountsConverge() => RunAsync(2, "cluster kill -9 x2");

    [ClusterFaultFact("kill -9 of the VIP owner ten times across three nodes")]
    public Task KillNine_TenTimesAcrossNodes_VipGapUnderBound_NoStickyLoss_CountsConverge() => RunAsync(10, "cluster kill -9 x10");

    private async Task RunAsync(int kills, string test)
    {
        await using var lab = await StartAsync();
        var pinned = await lab.Vip.PinAsync(Sessions);
        using var held = lab.Hold(Held);
        var cookies = pinned.Keys.ToList();
        var loops = Enumerable.Range(0, Clients)
            .Select(c => new RequestLoop(lab.Net.Client, lab.Vip.Url, [.. cookies.Where((_, k) => k % Clients == c)], maxRequests: 200_000, maxDuration: TimeSpan.FromMinutes(20)))
            .ToList();
        try
        {
            foreach (var loop in loops)
            {
                await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(10));
            }

            var gaps = new List<double>();
            var converged = new List<double>();
            var ready = new List<double>();
            for (var k = 0; k < kills; k++)
            {
                var victim = k % Nodes;
                var survivors = Except(victim);
                await lab.MoveVipAsync(victim);
                await lab.WaitCountsConvergeAsync(All, Held * Nodes); // the victim's requests are counted everywhere

                var from = loops.Select(l => l.Now).ToList();
                var clock = Stopwatch.StartNew();
                lab.Vip.Kill(victim);
                var (owner, _) = await lab.WaitOneOwnerAsync(survivors);
                foreach (var loop in loops)
                {
                    await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(10));
                }

                await Task.Delay(500);
                var gap = loops.Select((l, c) => RequestLoop.LongestGap(l.Since(from[c]), from[c])).Max();
                gaps.Add(gap.TotalMilliseconds);
                Assert.Equal(lab.Net.Balancers[owner].Mac, lab.Net.Client.NeighbourMac(VipLab.Vip));

                await lab.WaitCountsConvergeAsync(survivors, Held * survivors.Count);
                converged.Add(clock.Elapsed.TotalMilliseconds);

                lab.Vip.Start(victim);
                ready.Add((await lab.WaitReadyAsync(victim, synced: true)).TotalMilliseconds);
                await lab.WaitMembersUpAsync(All);
                lab.AssertAlive();
                output.WriteLine($"kill {k + 1}: {Name(victim)} (owner) killed, {Name(owner)} took the VIP; longest gap {gap.TotalMilliseconds:0} ms; counts converged {converged[^1]:0} ms after the kill; restarted, ready in {ready[^1]:0} ms");
            }

            var samples = loops.SelectMany(l => l.Samples).ToList();
            var violations = StickyViolations(samples, pinned);
            var (bound, load, busy) = VipLab.GapBound();
            Figures.Record(output, test, "kills (each of the VIP owner)", kills, "kills");
            Figures.Record(output, test, "VIP gap, median", Median(gaps), "ms");
            Figures.Record(output, test, "VIP gap, max", gaps.Max(), "ms");
            Figures.Record(output, test, "requests through the VIP", samples.Count, "requests");
            Figures.Record(output, test, "requests failed (clients without retry)", samples.Count(s => !s.Ok), "requests");
            Figures.Record(output, test, "sticky violations", violations.Count, "requests");
            Figures.Record(output, test, "counts converged after the kill, max", converged.Max(), "ms");
            Figures.Record(output, test, "restarted node ready (synced), median", Median(ready), "ms");

            AssertNoStickyViolations(violations, pinned);
            Assert.True(gaps.All(g => g < bound.TotalMilliseconds),
                $"VIP gaps [{string.Join(", ", gaps.Select(g => $"{g:0}"))}] ms, bound {bound.TotalMilliseconds:0} ms (load average {load}{(busy ? ", machine oversubscribed: bound widened" : "")}): {Errors(samples)}");
        }
        finally
        {
            foreach (var loop in loops)
            {
                loop.Dispose();
            }
        }
    }
}

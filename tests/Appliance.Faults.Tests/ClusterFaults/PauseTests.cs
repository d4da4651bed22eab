using System.Diagnostics;
using System.Text.Json;
using Appliance.Management.Contracts;
using Appliance.Tests.Support;
using Appliance.Tests.Support.Netns;
using Appliance.Tests.Vips;
using Xunit.Abstractions;

namespace Appliance.Tests.ClusterFaults;

/// <summary>
/// A paused process (issue 15): the VIP owner of a two-node pair (<see cref="VipLab"/>, priorities
/// 200/100, no preempt) is stopped with SIGSTOP for 3 s or 10 s, then woken with SIGCONT, while a
/// client asks the VIP every 20 ms (no retry). Measured: the time from SIGCONT until both nodes
/// report both members Up (GET /api/v1/cluster/members on each admin port); the target is 5 s.
/// Also checked: the VIP was served throughout except the takeover gap (the longest time without
/// a successful answer is under <see cref="VipLab.GapBound"/>), and afterwards exactly one node
/// holds it. Needs root and iproute2.
/// </summary>
[Collection(nameof(ClusterFaultCollection))]
[Trait("Category", "Faults")]
public sealed class PauseTests(ITestOutputHelper output)
{
    /// <summary>The target: one cluster again within this long of the wake.</summary>
    private static readonly TimeSpan Reform = TimeSpan.FromSeconds(5);

    [ClusterFaultFact]
    public Task Sigstop_3s_PairReformsWithin5s_VipServed() => RunAsync(TimeSpan.FromSeconds(3), 1, "pause 3 s");

    [Fact(Skip = "known defect, open (issue 15 note): after a 10 s SIGSTOP of the VIP owner the pair re-forms in about 3 s, but the client's ARP entry stays on the woken node and the VIP goes unanswered for over 10 s")]
    public Task Sigstop_10s_PairReformsWithin5s_VipServed() => RunAsync(TimeSpan.FromSeconds(10), 1, "pause 10 s");

    [ClusterFaultFact("SIGSTOP of the VIP owner for 3 s, ten times")]
    public Task Sigstop_3s_TenTimes_PairReformsWithin5s_VipServed() => RunAsync(TimeSpan.FromSeconds(3), 10, "pause 3 s x10");

    [Fact(Skip = "known defect, open (issue 15 note): after a 10 s SIGSTOP of the VIP owner the pair re-forms in about 3 s, but the client's ARP entry stays on the woken node and the VIP goes unanswered for over 10 s")]
    public Task Sigstop_10s_TenTimes_PairReformsWithin5s_VipServed() => RunAsync(TimeSpan.FromSeconds(10), 10, "pause 10 s x10");

    private async Task RunAsync(TimeSpan pause, int times, string test)
    {
        await using var lab = await VipLab.StartAsync([200, 100], preempt: false);
        using var loop = new RequestLoop(lab.Net.Client, lab.Url, [], maxRequests: 200_000, maxDuration: TimeSpan.FromMinutes(15));
        await WaitBothUpAsync(lab, TimeSpan.FromSeconds(60));
        await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(30));

        var reformed = new List<double>();
        var gaps = new List<double>();
        for (var k = 0; k < times; k++)
        {
            var owner = await OneOwnerAsync(lab);
            var from = loop.Now;
            lab[owner].Signal("STOP");
            try
            {
                await Task.Delay(pause);
            }
            finally
            {
                lab[owner].Signal("CONT");
            }

            var woke = Stopwatch.StartNew();
            var took = await WaitBothUpAsync(lab, TimeSpan.FromSeconds(60));
            reformed.Add(took.TotalMilliseconds);
            var newOwner = await OneOwnerAsync(lab);
            try
            {
                await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Assert.Fail($"after the {pause.TotalSeconds:0} s pause of {VipLab.Name(owner)}: both see 2 Up {took.TotalMilliseconds:0} ms after SIGCONT and {VipLab.Name(newOwner)} alone holds the VIP (MAC {lab.Net.Balancers[newOwner].Mac}), but the client (neighbour entry for the VIP: {lab.Net.Client.NeighbourMac(VipLab.Vip)}) gets no answer: {e.Message}\n{lab.Logs()}");
            }

            var gap = RequestLoop.LongestGap(loop.Since(from), from);
            gaps.Add(gap.TotalMilliseconds);
            foreach (var i in new[] { 0, 1 })
            {
                Assert.False(lab[i].HasExited, $"{VipLab.Name(i)} exited\n{lab.Logs()}");
            }

            output.WriteLine($"pause {k + 1}: {VipLab.Name(owner)} (owner) stopped {pause.TotalSeconds:0} s; both see 2 Up {took.TotalMilliseconds:0} ms after SIGCONT; owner now {VipLab.Name(newOwner)}; longest VIP gap {gap.TotalMilliseconds:0} ms; {woke.Elapsed.TotalMilliseconds:0} ms since wake");
        }

        var (bound, load, busy) = VipLab.GapBound();
        Figures.Record(output, test, "pauses (each of the VIP owner)", times, "pauses");
        Figures.Record(output, test, "SIGCONT to 2 members Up on both, median", ClusterFaultLab.Median(reformed), "ms");
        Figures.Record(output, test, "SIGCONT to 2 members Up on both, max", reformed.Max(), "ms");
        Figures.Record(output, test, "VIP gap, max", gaps.Max(), "ms");
        Figures.Record(output, test, "requests failed (client without retry)", loop.Samples.Count(s => !s.Ok), "requests");

        Assert.True(reformed.All(r => r < Reform.TotalMilliseconds),
            $"SIGCONT to one cluster [{string.Join(", ", reformed.Select(r => $"{r:0}"))}] ms, target {Reform.TotalMilliseconds:0} ms (load average {load})\n{lab.Logs()}");
        Assert.True(gaps.All(g => g < bound.TotalMilliseconds),
            $"VIP gaps [{string.Join(", ", gaps.Select(g => $"{g:0}"))}] ms, bound {bound.TotalMilliseconds:0} ms (load average {load}{(busy ? ", machine oversubscribed: bound widened" : "")}): {ClusterFaultLab.Errors(loop.Samples)}");
    }

    /// <summary>Until both nodes report both members Up; returns how long it took (fails with the last reading after <paramref name="timeout"/>).</summary>
    private static async Task<TimeSpan> WaitBothUpAsync(VipLab lab, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var why = "";
        while (clock.Elapsed < timeout)
        {
            why = await NotBothUpAsync(lab);
            if (why.Length == 0)
            {
                return clock.Elapsed;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"not one cluster of two within {timeout.TotalSeconds:0} s; last seen: {why}\n{lab.Logs()}");
        return clock.Elapsed;
    }

    private static async Task<string> NotBothUpAsync(VipLab lab)
    {
        foreach (var i in new[] { 0, 1 })
        {
            using var http = lab.Net.Balancers[i].HttpClient(TimeSpan.FromSeconds(2));
            try
            {
                using var response = await http.GetAsync(new Uri(VipLab.AdminUrl, AdminPaths.ClusterMembers.TrimStart('/')));
                if (!response.IsSuccessStatusCode)
                {
                    return $"{VipLab.Name(i)} answers {(int)response.StatusCode}";
                }

                var members = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), AdminJson.Context.MembersResponse);
                var up = members?.Members.Count(m => m.State == "up") ?? 0;
                if (up != 2)
                {
                    return $"{VipLab.Name(i)} sees [{string.Join(", ", members?.Members.Select(m => $"{m.Name} {m.State}") ?? [])}]";
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                return $"{VipLab.Name(i)} does not answer ({e.GetType().Name})";
            }
        }

        return "";
    }

    /// <summary>Until exactly one node holds the VIP on its interface (bounded); returns it.</summary>
    private static async Task<int> OneOwnerAsync(VipLab lab)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var owners = lab.Owners();
            if (owners.Count == 1)
            {
                return owners[0];
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"not exactly one VIP holder within 30 s: [{string.Join(", ", owners.Select(VipLab.Name))}]\n{lab.Logs()}");
            await Task.Delay(50);
        }
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using Appliance.Tests.Support.Netns;

namespace Appliance.Tests.Vips;

/// <summary>
/// VIP failover end to end: real applianced processes in network namespaces joined by a bridge, a
/// client in its own namespace asking for the VIP every 20 ms, kill -9, rejoin, partition and heal,
/// vip move and graceful stop. Needs root and iproute2; skipped with the reason shown otherwise.
/// </summary>
[Collection(nameof(VipNetworkCollection))]
public sealed class VipNetworkTests(ITestOutputHelper output)
{
    private const int Sticky = 6;

    [NetnsFact]
    public async Task KillOwner_VipMovesToThePeer_ClientsKeepTheirBackend_OwnerRejoinsAndTakesItBack()
    {
        await using var lab = await VipLab.StartAsync([200, 100], preempt: true);
        await lab.WaitOwnerAsync(0, TimeSpan.FromSeconds(20));
        var client = lab.Net.Client;
        var pinned = await PinSessionsAsync(lab);
        using var loop = new RequestLoop(client, lab.Url, [.. pinned.Keys]);
        await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(lab.Net.Balancers[0].Mac, client.NeighbourMac(VipLab.Vip));

        var killedAt = loop.Now;
        lab.Kill(0);
        await lab.WaitOwnerAsync(1, TimeSpan.FromSeconds(15));
        await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(500);
        var afterKill = loop.Since(killedAt);

        Assert.Equal(lab.Net.Balancers[1].Mac, client.NeighbourMac(VipLab.Vip));
        AssertGap(afterKill, killedAt, lab);
        Assert.All(afterKill.Where(s => s.Ok), s => Assert.Equal(pinned[s.Cookie!], s.Backend));

        var restartedAt = loop.Now;
        lab.Start(0);
        await lab.WaitUpAsync(0);
        await lab.WaitOwnerAsync(0, TimeSpan.FromSeconds(20));
        await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(500);
        var afterRejoin = loop.Since(restartedAt);

        Assert.Equal(lab.Net.Balancers[0].Mac, client.NeighbourMac(VipLab.Vip));
        var failed = afterRejoin.Count(s => !s.Ok);
        output.WriteLine($"rejoin with preempt: {failed} failed of {afterRejoin.Count}");
        Assert.True(failed <= 5, $"{failed} of {afterRejoin.Count} requests failed while lb1 rejoined and took the VIP back: {Errors(afterRejoin)}\n{lab.Logs()}");
    }

    [NetnsFact]
    public async Task VipMoveThenGracefulStop_PeerTakesOverAtOnce_RetryingClientSeesNoFailure()
    {
        await using var lab = await VipLab.StartAsync([200, 100], preempt: false);
        await lab.WaitOwnerAsync(0, TimeSpan.FromSeconds(20));
        var pinned = await PinSessionsAsync(lab);
        // 2 s per try: lb2 has served nothing yet, and its first requests (JIT, first backend
        // connections) can take a second on a loaded two-core machine; what is tested is that no
        // request goes unanswered, not how fast a cold node answers.
        using var loop = new RequestLoop(lab.Net.Client, lab.Url, [.. pinned.Keys], retries: 1, timeout: TimeSpan.FromSeconds(2));
        await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(10));

        var movedAt = loop.Now;
        using (var admin = lab.Net.Balancers[0].HttpClient(TimeSpan.FromSeconds(10)))
        {
            using var moved = await admin.PostAsync(new Uri($"http://127.0.0.1:9900/api/v1/vips/{VipLab.Vip}/move"), null);
            Assert.True(moved.StatusCode == HttpStatusCode.Accepted, await moved.Content.ReadAsStringAsync());
        }

        await lab.WaitOwnerAsync(1, TimeSpan.FromSeconds(5));
        await Task.Delay(500);

        var stoppedAt = loop.Now;
        lab[1].Signal("TERM");
        await lab.WaitOwnerAsync(0, TimeSpan.FromSeconds(5));
        await lab[1].WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(lab[1].Output.Contains("handing the VIPs this node holds over", StringComparison.Ordinal), lab.Logs());
        await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(500);

        var samples = loop.Since(movedAt);
        Assert.True(lab[0].Output.Contains("lb2 released it", StringComparison.Ordinal), lab.Logs());
        Assert.True(samples.All(s => s.Ok), $"failed requests across the move (at {Ms(movedAt)}) and the stop (at {Ms(stoppedAt)}): {Errors(samples)}\n{lab.Logs()}");
        Assert.Equal(lab.Net.Balancers[0].Mac, lab.Net.Client.NeighbourMac(VipLab.Vip));
        Assert.All(samples, s => Assert.Equal(pinned[s.Cookie!], s.Backend));
    }

    [NetnsFact]
    public async Task PartitionAndHeal_BothSidesHoldTheVip_AfterHealExactlyOneKeepsItAndTheClientFollows()
    {
        // DownAfter well above the partition: the sides stay members, unreachable, and each holds the VIP.
        await using var lab = await VipLab.StartAsync([200, 150, 100], preempt: false,
            (_, config) => config["Cluster"]!["DownAfter"] = "00:01:00");
        await lab.WaitOwnerAsync(0, TimeSpan.FromSeconds(20));

        lab.Net.LinkDown(lab.Net.Balancers[0]);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(lab.Owners() is [0, 1]))
        {
            Assert.True(DateTime.UtcNow < deadline, $"expected a split brain (lb1 cut off, lb2 takes over); holders: [{string.Join(", ", lab.Owners())}]\n{lab.Logs()}");
            await Task.Delay(50);
        }

        await Task.Delay(1500); // both sides hold it and announce it for a while
        var logBeforeHeal = Enumerable.Range(0, 3).Select(i => lab[i].Output.Length).ToArray();
        lab.Net.LinkUp(lab.Net.Balancers[0]);
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (lab.Owners().Count != 1)
        {
            Assert.True(DateTime.UtcNow < deadline, $"after the heal one node should hold the VIP; holders: [{string.Join(", ", lab.Owners())}]\n{lab.Logs()}");
            await Task.Delay(50);
        }

        // It stays with one owner (no flapping), and the client's neighbour entry follows the winner.
        var winner = lab.Owners()[0];
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(100);
            Assert.Equal([winner], lab.Owners());
        }

        // Usually lb1 (the best-ranked claimant) keeps it and re-announces; while the healing
        // reachability settles a node may also drop it and another take it fresh (docs/vips.md,
        // known limits). Either way the winner announced it after the heal, and the client follows.
        using var loop = new RequestLoop(lab.Net.Client, lab.Url, []);
        await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(lab.Net.Balancers[winner].Mac, lab.Net.Client.NeighbourMac(VipLab.Vip));
        if (winner == 0)
        {
            // The cut-off node's announcements never reached the client during the partition: it
            // must have announced after the heal. (A winner from the client's side of the partition
            // already owned the client's neighbour entry, as the MAC check above shows.)
            var afterHeal = lab[winner].Output[logBeforeHeal[winner]..];
            Assert.True(afterHeal.Contains("re-announce: ", StringComparison.Ordinal) || afterHeal.Contains(": master (", StringComparison.Ordinal), lab.Logs());
        }
    }

    [NetnsFact]
    public async Task IsolatedNode_GatewayTrackFails_GivesItsVipUpSoThereIsNoSplitBrain()
    {
        // The "gateway" is backend1: a node that cannot reach it is in fault (weight 0) and lets go.
        var script = Path.Combine(Path.GetTempPath(), $"gateway-{Guid.NewGuid():N}.sh");
        File.WriteAllText(script, $"#!/bin/bash\nexec 3<>/dev/tcp/{NetnsTopology.Subnet}.21/8081\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        }

        try
        {
            await using var lab = await VipLab.StartAsync([200, 100], preempt: true, (_, config) =>
                config["Vips"]![0]!["Track"] = new JsonObject
                {
                    ["Script"] = new JsonObject { ["Path"] = script, ["Interval"] = "00:00:00.300", ["Timeout"] = "00:00:00.250", ["Rise"] = 2, ["Fall"] = 2, ["Weight"] = 0 },
                });
            await lab.WaitOwnerAsync(0, TimeSpan.FromSeconds(20));

            lab.Net.LinkDown(lab.Net.Balancers[0]);
            await lab.WaitOwnerAsync(1, TimeSpan.FromSeconds(20));

            Assert.True(lab[0].Output.Contains("is failing (fault)", StringComparison.Ordinal), lab.Logs());
            using var loop = new RequestLoop(lab.Net.Client, lab.Url, []);
            await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(lab.Net.Balancers[1].Mac, lab.Net.Client.NeighbourMac(VipLab.Vip));
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>The issue's bound (<see cref="VipLab.GapBound"/>): 1 s without a successful request, 3 s on an oversubscribed machine.</summary>
    private void AssertGap(IReadOnlyList<RequestSample> samples, TimeSpan from, VipLab lab)
    {
        var gap = RequestLoop.LongestGap(samples, from);
        output.WriteLine($"kill -9 of the owner: longest gap without a successful request {Ms(gap)}; {samples.Count(s => !s.Ok)} failed of {samples.Count}");
        var (bound, load, busy) = VipLab.GapBound();
        Assert.True(gap < bound, $"longest gap without a successful request {Ms(gap)} (bound {Ms(bound)}, load average {load}{(busy ? ", machine oversubscribed: bound widened" : "")}): {Errors(samples)}\n{lab.Logs()}");
    }

    /// <summary>Sessions made through the VIP: cookie → the backend it is pinned to.</summary>
    private static async Task<Dictionary<string, string>> PinSessionsAsync(VipLab lab)
    {
        var pinned = await lab.PinAsync(Sticky);
        Assert.True(pinned.Values.Distinct().Count() > 1, "sessions should spread over both backends");
        return pinned;
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0} ms";

    private static string Errors(IReadOnlyList<RequestSample> samples) =>
        string.Join(" | ", samples.Where(s => !s.Ok).Take(10).Select(s => $"{Ms(s.At)} {s.Error}"));
}

/// <summary>The VIP network tests run one at a time: each starts several processes and times failovers.</summary>
[CollectionDefinition(nameof(VipNetworkCollection), DisableParallelization = true)]
public sealed class VipNetworkCollection;

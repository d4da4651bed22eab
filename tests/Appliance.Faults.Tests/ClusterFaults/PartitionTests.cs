using System.Net;
using Appliance.Tests.Support;
using Appliance.Tests.Support.Netns;
using Appliance.Tests.Vips;
using Xunit.Abstractions;
using static Appliance.Tests.ClusterFaults.ClusterFaultLab;

namespace Appliance.Tests.ClusterFaults;

/// <summary>
/// One node of three cut off (its link to the bridge down) and healed, again and again, a
/// different node each time, under load: sticky clients ask the VIP every 20 ms and long requests
/// keep every node's own in-flight count at <see cref="Held"/>. Each cut lasts until the two sides
/// have downed each other and the cut-off node holds the VIP on its side (a split brain, as
/// designed: availability first); sessions are made on the other side meanwhile. After each heal,
/// within a bounded time: exactly one VIP owner, named by every node, and the client's neighbour
/// entry on its MAC; every node sees all three up; the session tables hold the same number of
/// sessions and the healed node honours the sessions made while it was away from its table alone
/// (cookies without the hint); the in-flight counts converge; no process crashed. No client is
/// answered by another backend than its own. Needs root and iproute2.
/// </summary>
[Collection(nameof(ClusterFaultCollection))]
[Trait("Category", "Faults")]
public sealed class PartitionTests(ITestOutputHelper output)
{
    private const int Held = 3;
    private const int Sessions = 12;
    private const int SessionsWhileApart = 4;

    /// <summary>
    /// Twice in the normal run: the VIP holder cut off, then another node. This test found that
    /// after a lost merge the other side comes back as new members and the client could keep the
    /// loser's MAC (no re-announce); fixed in the ownership machine (a master re-announces for any
    /// outranked member back in its view).
    /// </summary>
    [ClusterFaultFact]
    public Task PartitionOneNode_TwiceAndHeal_OneVipOwner_ReplicasConverge_NoCrash() =>
        RunAsync([0, 1], "cluster partition x2");

    [ClusterFaultFact("a partition of one node of three, ten times")]
    public Task PartitionOneNode_TenTimesAndHeal_OneVipOwner_ReplicasConverge_NoCrash() =>
        RunAsync([.. Enumerable.Range(0, 10).Select(k => k % Nodes)], "cluster partition x10");

    private async Task RunAsync(IReadOnlyList<int> order, string test)
    {
        var cuts = order.Count;
        await using var lab = await StartAsync();
        var pinned = await lab.Vip.PinAsync(Sessions);
        using var held = lab.Hold(Held);
        using var loop = new RequestLoop(lab.Net.Client, lab.Vip.Url, [.. pinned.Keys], maxRequests: 200_000, maxDuration: TimeSpan.FromMinutes(20));
        await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(10));
        await lab.WaitCountsConvergeAsync(All, Held * Nodes);

        var apart = new List<double>();
        var oneOwner = new List<double>();
        var converged = new List<double>();
        var madeApart = 0;
        for (var k = 0; k < cuts; k++)
        {
            var cut = order[k];
            var rest = Except(cut);
            var host = lab.Net.Balancers[cut];

            lab.Net.LinkDown(host);
            apart.Add((await lab.WaitDownedAsync(rest, cut)).TotalMilliseconds);
            await lab.WaitDownedAsync([cut], rest[0]);
            await lab.WaitDownedAsync([cut], rest[1]);
            await lab.WaitAsync(() => Task.FromResult(host.HasAddress(VipLab.Vip) ? null : "it does not hold the VIP"), $"cut-off {Name(cut)} takes the VIP on its side");
            await lab.WaitAsync(() => Task.FromResult(lab.Vip.Owners().Count(o => o != cut) == 1 ? null : $"holders [{string.Join(", ", lab.Vip.Owners().Select(Name))}]"), "one holder on the connected side");
            await loop.WaitForSuccessAsync(TimeSpan.FromSeconds(10));
            var whileApart = await lab.Vip.PinAsync(SessionsWhileApart);
            madeApart += whileApart.Count;

            var healed = System.Diagnostics.Stopwatch.StartNew();
            lab.Net.LinkUp(host);
            var (owner, took) = await lab.WaitOneOwnerAsync(All);
            oneOwner.Add(took.TotalMilliseconds);
            await lab.WaitMembersUpAsync(All);
            var healedAt = loop.Now;
            await lab.WaitAsync(() => Task.FromResult(loop.Since(healedAt).Any(s => s.Ok) ? null : $"last errors: {Errors(loop.Since(healedAt).TakeLast(3))}; client's neighbour entry {lab.Net.Client.NeighbourMac(VipLab.Vip)}, {Name(owner)} has {lab.Net.Balancers[owner].Mac}"),
                "a successful request through the VIP after the heal", TimeSpan.FromSeconds(10));
            await lab.WaitAsync(() => Task.FromResult(lab.Net.Client.NeighbourMac(VipLab.Vip) == lab.Net.Balancers[owner].Mac ? null : $"client has {lab.Net.Client.NeighbourMac(VipLab.Vip)}"),
                $"the client's neighbour entry for the VIP follows {Name(owner)}");

            var (sessions, _) = await lab.WaitSessionsConvergeAsync(All, Sessions + madeApart);
            await lab.WaitCountsConvergeAsync(All, Held * Nodes);
            converged.Add(healed.Elapsed.TotalMilliseconds);
            await AssertHonouredWithoutHintAsync(lab, cut, whileApart);
            lab.AssertAlive();
            output.WriteLine($"cut {k + 1}: {Name(cut)} apart after {apart[^1]:0} ms; after the heal one owner ({Name(owner)}) in {took.TotalMilliseconds:0} ms, {sessions} sessions and the counts on every node in {converged[^1]:0} ms");
        }

        loop.Dispose();
        var samples = loop.Samples;
        var violations = StickyViolations(samples, pinned);
        Figures.Record(output, test, "partitions (one node cut off, healed)", cuts, "cuts");
        Figures.Record(output, test, "cut-off node downed by the rest, median", Median(apart), "ms");
        Figures.Record(output, test, "one VIP owner after the heal, median", Median(oneOwner), "ms");
        Figures.Record(output, test, "one VIP owner after the heal, max", oneOwner.Max(), "ms");
        Figures.Record(output, test, "sessions and counts converged after the heal, max", converged.Max(), "ms");
        Figures.Record(output, test, "requests through the VIP", samples.Count, "requests");
        Figures.Record(output, test, "requests failed (client without retry)", samples.Count(s => !s.Ok), "requests");
        Figures.Record(output, test, "sticky violations", violations.Count, "requests");
        AssertNoStickyViolations(violations, pinned);
    }

    /// <summary>
    /// The node that was cut off knows the sessions made on the other side meanwhile: asked on its
    /// own address with the cookie's key only (no hint), each client reaches its backend.
    /// </summary>
    private static async Task AssertHonouredWithoutHintAsync(ClusterFaultLab lab, int node, Dictionary<string, string> pinned)
    {
        using var http = lab.Net.Client.HttpClient(TimeSpan.FromSeconds(10));
        foreach (var (cookie, backend) in pinned)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, lab.Vip.NodeUrl(node));
            request.Headers.Add("Cookie", cookie.Contains('.', StringComparison.Ordinal) ? cookie[..cookie.IndexOf('.', StringComparison.Ordinal)] : cookie);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var answered = response.Headers.GetValues("X-Backend").Single();
            Assert.True(answered == backend, $"{Name(node)} sent {cookie} (without its hint) to {answered}; it was pinned to {backend} while {Name(node)} was cut off");
        }
    }
}

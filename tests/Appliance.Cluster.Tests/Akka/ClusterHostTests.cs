using Appliance.Core.Membership;
using Appliance.Core.Security;
using Xunit.Abstractions;

namespace Appliance.Tests.Akka;

/// <summary>Several ActorSystems on loopback, each behind its own <see cref="Cluster.Hosting.ClusterHost"/>, with real TLS.</summary>
[Collection("akka-loopback")]
public sealed class ClusterHostTests(ITestOutputHelper output)
{
    private static bool AllUp(ClusterView view, int count) =>
        view.Phase == NodePhase.Member && view.Members.Count(m => m.Status == MemberStatus.Up && m.Reachable) == count;

    [Fact]
    public async Task TwoNodes_SameKey_FormOneClusterAndParticipantsStartBeforeJoining()
    {
        var key = ClusterKey.Generate();
        int pa = TestNode.FreePort(), pb = TestNode.FreePort();
        await using var a = await TestNode.StartAsync("lb1", pa, [pa, pb], key);
        await using var b = await TestNode.StartAsync("lb2", pb, [pa, pb], key);
        var formed = await a.WaitForAsync(v => AllUp(v, 2), 30, "two Up members");
        await b.WaitForAsync(v => AllUp(v, 2), 10, "two Up members");
        output.WriteLine($"formed in {formed.TotalMilliseconds:F0} ms");

        Assert.Equal(["lb1", "lb2"], b.Host.Current.Members.Select(m => m.Name));
        Assert.Single(b.Host.Current.Members, m => m.IsSelf && m.Name == "lb2");
        Assert.Single(a.Host.Current.Members, m => m.IsLeader);
        Assert.Equal(1, a.Participant.Started);
        Assert.False(a.Participant.StartedAfterJoin);
        Assert.True(a.Host.Authenticator.Accepted > 0);
        Assert.Equal(0, a.Host.Authenticator.Refused);
        Assert.Contains(a.Logs.Lines, l => l.Contains("this node joined", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Leave_OnStop_OthersRemoveItWithoutCallingItUnreachable()
    {
        var key = ClusterKey.Generate();
        int pa = TestNode.FreePort(), pb = TestNode.FreePort();
        await using var a = await TestNode.StartAsync("lb1", pa, [pa, pb], key);
        var b = await TestNode.StartAsync("lb2", pb, [pa, pb], key);
        await a.WaitForAsync(v => AllUp(v, 2), 30, "two Up members");
        await b.WaitForAsync(v => AllUp(v, 2), 10, "two Up members");

        await b.DisposeAsync();
        Assert.Equal(1, b.Participant.Stopped);
        Assert.Equal(NodePhase.Stopped, b.Host.Current.Phase);
        var removed = await a.WaitForAsync(v => v.Members.Count == 1, 5, "the leaver removed");
        output.WriteLine($"removed {removed.TotalMilliseconds:F0} ms after the stop returned");
        Assert.Equal(0, a.Host.Stats.MembersUnreachable);
        Assert.Equal(1, a.Host.Stats.MembersRemoved);
    }

    [Fact]
    public async Task Crash_PortRefuses_UnreachableAtOnceThenDownedAndRemoved()
    {
        var key = ClusterKey.Generate();
        int pa = TestNode.FreePort(), pb = TestNode.FreePort();
        await using var a = await TestNode.StartAsync("lb1", pa, [pa, pb], key);
        var b = await TestNode.StartAsync("lb2", pb, [pa, pb], key, crashable: true);
        try
        {
            await a.WaitForAsync(v => AllUp(v, 2), 30, "two Up members");
            await b.WaitForAsync(v => AllUp(v, 2), 10, "two Up members");
            var hints = new List<PeerHint>();
            a.Host.Hint += h => { lock (hints) { hints.Add(h); } };
            await Task.Delay(1000); // a few heartbeats, so the detector has a history

            await b.Host.CrashForTestsAsync();
            var unreachable = await a.WaitForAsync(v => v.Members.Any(m => m.Name == "lb2" && !m.Reachable) || v.Members.Count == 1, 5, "lb2 unreachable");
            var removed = await a.WaitForAsync(v => v.Members.Count == 1, 10, "lb2 downed and removed");
            output.WriteLine($"unreachable after {unreachable.TotalMilliseconds:F0} ms, removed {removed.TotalMilliseconds:F0} ms later");
            Assert.True(unreachable < TimeSpan.FromSeconds(3), $"detection took {unreachable}");
            Assert.Contains(a.Logs.Lines, l => l.Contains("downing", StringComparison.Ordinal) && l.Contains("refusing", StringComparison.Ordinal));
            lock (hints)
            {
                Assert.Contains(hints, h => h.Address == b.Address);
            }

            Assert.Equal(0, a.Host.Stats.IncarnationsLost);
        }
        finally
        {
            await b.Host.DisposeAsync();
        }
    }

    [Fact]
    public async Task WrongKey_RefusedBothWays_HealthyNodeKeepsItsIncarnation()
    {
        int pa = TestNode.FreePort(), pb = TestNode.FreePort();
        await using var a = await TestNode.StartAsync("lb1", pa, [pa], ClusterKey.Generate());
        await a.WaitForAsync(v => AllUp(v, 1), 30, "lb1 alone and Up");
        await using var stranger = await TestNode.StartAsync("x", pb, [pa, pb], ClusterKey.Generate());

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((a.Host.Authenticator.Refused == 0 || stranger.Host.Authenticator.Refused == 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await Task.Delay(2000);
        Assert.True(a.Host.Authenticator.Refused > 0, "lb1 refused the stranger's client certificate");
        Assert.True(stranger.Host.Authenticator.Refused > 0, "the stranger refused lb1's server certificate");
        Assert.True(AllUp(a.Host.Current, 1), TestNode.Describe(a.Host.Current));
        Assert.Equal(0, a.Host.Stats.IncarnationsLost);
        Assert.DoesNotContain(stranger.Host.Current.Members, m => m.Name == "lb1");
        var refusals = a.Logs.Lines.Count(l => l.Contains("refused a TLS handshake", StringComparison.Ordinal));
        Assert.InRange(refusals, 1, 3); // throttled
        output.WriteLine($"lb1 refused {a.Host.Authenticator.Refused}, stranger refused {stranger.Host.Authenticator.Refused}, stranger incarnations lost {stranger.Host.Stats.IncarnationsLost}");
    }
}

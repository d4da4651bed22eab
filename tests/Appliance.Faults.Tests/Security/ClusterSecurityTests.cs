using System.Globalization;
using System.Net;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Replication;
using Appliance.Cluster.Replication.Crdt;
using Appliance.Cluster.Replication.Messages;
using Appliance.Cluster.Transport;
using Appliance.Tests.Cluster;
using Appliance.Tests.Support;
using Appliance.Tests.Transport;

namespace Appliance.Tests.Security;

/// <summary>
/// Frames a real node must refuse, each counted by reason in /metrics: signed with another key or not
/// signed at all, a recorded frame played again, and authentic frames from an incarnation the cluster
/// has downed (a restarted node's old self) or meant for an earlier incarnation of the receiver. None
/// may change membership or replicated state. Extends the wrong-key process test in
/// tests/Appliance.Node.Tests/Cluster/ClusterProcessTests.cs and the transport tests of
/// tests/Appliance.Cluster.Tests/Transport.
/// </summary>
[Trait("Category", "Faults")]
public sealed class ClusterSecurityTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>An incarnation the node has never heard of, at a loopback port nothing listens on.</summary>
    private static UniqueAddress Stranger(ulong uid) => new(new NodeAddress("127.0.0.1", 9), uid);

    private static int PortOf(string address) => int.Parse(address.Split(':')[1], CultureInfo.InvariantCulture);

    private static async Task<(ClusterNodes Nodes, HttpClient Admin, int Port)> LoneNodeAsync()
    {
        var nodes = new ClusterNodes(1, ClusterWire.KeyBase64);
        nodes.StartAll();
        await nodes[0].WaitForOutputAsync("this node joined", 30_000);
        return (nodes, new HttpClient { BaseAddress = nodes.AdminUrl(0) }, PortOf(nodes.ClusterAddress(0)));
    }

    [Fact]
    public async Task WrongOrMissingKey_EveryFrameRejectedAsAuth_NothingReceived()
    {
        var (nodes, admin, port) = await LoneNodeAsync();
        using (nodes)
        using (admin)
        {
            var before = await ClusterReadings.ReadAsync(admin);
            var join = new Join(Stranger(0xBAD), "intruder-without-the-cluster-key"); // a payload longer than a MAC

            var signedWithOtherKey = ClusterWire.Frame(join, sequence: 1, key: FrameTestKit.OtherKey);
            var zeroMac = ClusterWire.Frame(join, sequence: 2);
            zeroMac.AsSpan(zeroMac.Length - FrameFormat.MacSize).Clear();
            var noMac = ClusterWire.Frame(join, sequence: 3)[..^FrameFormat.MacSize];
            FrameTestKit.SetLength(noMac, (uint)(noMac.Length - FrameFormat.LengthSize));

            foreach (var frame in new[] { signedWithOtherKey, zeroMac, noMac })
            {
                Assert.True(await ClusterWire.SendAndSeeClosedAsync(port, frame, Patience));
            }

            var after = await ClusterReadings.WaitForRejectedAsync(admin, before.Rejected + 3);
            Assert.Equal(before.Auth + 3, after.Auth); // another key, an all-zero MAC, no MAC: none verifies
            Assert.Equal(before.Rejected + 3, after.Rejected);
            Assert.Equal(before.Received, after.Received);
            Assert.Equal(before.Members, after.Members);
            Assert.DoesNotContain("intruder", nodes[0].Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ReplayedFrame_RejectedAsReplay_FresherOneAccepted()
    {
        var (nodes, admin, port) = await LoneNodeAsync();
        using (nodes)
        using (admin)
        {
            var before = await ClusterReadings.ReadAsync(admin);
            var sender = Stranger(0x5E9);
            var fifth = ClusterWire.Frame(new Heartbeat(sender, 5), sequence: 5);

            Assert.False(await ClusterWire.SendAndSeeClosedAsync(port, fifth, TimeSpan.FromSeconds(1))); // accepted: the connection stays
            await ClusterReadings.WaitForAsync(admin, r => r.Received == before.Received + 1, "the first copy is received");
            Assert.True(await ClusterWire.SendAndSeeClosedAsync(port, fifth, Patience));                   // the same bytes again
            Assert.True(await ClusterWire.SendAndSeeClosedAsync(port, ClusterWire.Frame(new Heartbeat(sender, 4), sequence: 4), Patience));
            Assert.False(await ClusterWire.SendAndSeeClosedAsync(port, ClusterWire.Frame(new Heartbeat(sender, 6), sequence: 6), TimeSpan.FromSeconds(1)));

            var after = await ClusterReadings.WaitForAsync(admin, r => r.Received == before.Received + 2, "the fresher frame is received");
            Assert.Equal(before.Replay + 2, after.Replay);
            Assert.Equal(before.Rejected + 2, after.Rejected);
            Assert.Equal(before.Members, after.Members);
        }
    }

    [Fact]
    public async Task OldIncarnation_AfterItsNodeRestarted_ItsFramesRejected_ItsStateNeverMerged()
    {
        using var nodes = new ClusterNodes(2, ClusterWire.KeyBase64);
        nodes.StartAll();
        await nodes.WaitAllUpAsync();
        var a = ClusterWire.UidFromLog(nodes[0].Output);
        var oldB = ClusterWire.UidFromLog(nodes[1].Output);

        // lb2 is killed and restarts: a new incarnation joins and lb1 downs the old one at once.
        nodes.Kill(1);
        var restarted = nodes.Start(1);
        await restarted.WaitForOutputAsync("this node joined", 30_000);
        await nodes[0].WaitForOutputAsync($"member lb2 ({nodes.ClusterAddress(1)}) is now up", 30_000, occurrences: 2);
        using var admin = new HttpClient { BaseAddress = nodes.AdminUrl(0) };
        var before = await ClusterReadings.ReadAsync(admin);
        var port = PortOf(nodes.ClusterAddress(0));
        var from = new UniqueAddress(new NodeAddress("127.0.0.1", PortOf(nodes.ClusterAddress(1))), oldB);
        var sequence = 1UL << 40; // above anything the old incarnation sent: it must be its incarnation that is refused

        // Authentic frames from the downed incarnation, to lb1's current one: dropped unread.
        foreach (var message in new ClusterMessage[]
        {
            new Heartbeat(from, 1),
            new Leave(from),
            Session(from, "faults/from-old-incarnation"),
            new ReplicaSyncRequest(from),
        })
        {
            Assert.False(await ClusterWire.SendAndSeeClosedAsync(port, ClusterWire.Frame(message, ++sequence, to: a), TimeSpan.FromSeconds(1)));
        }

        // A frame meant for an earlier incarnation of lb1.
        var stranger = Stranger(0xC0FFEE);
        Assert.False(await ClusterWire.SendAndSeeClosedAsync(port, ClusterWire.Frame(Session(stranger, "faults/to-earlier-incarnation"), 1, to: a ^ 0xFF), TimeSpan.FromSeconds(1)));

        // Control: the same kind of message from an incarnation nobody downed is merged, so the refusals above are the check at work.
        Assert.False(await ClusterWire.SendAndSeeClosedAsync(port, ClusterWire.Frame(Session(stranger, "faults/from-current-incarnation"), 2, to: a), TimeSpan.FromSeconds(1)));

        await WaitForSessionAsync(admin, "faults/from-current-incarnation");
        var after = await ClusterReadings.ReadAsync(admin);
        Assert.Equal(before.FromDownedIncarnation + 4, after.FromDownedIncarnation);
        Assert.Equal(before.ForEarlierIncarnation + 1, after.ForEarlierIncarnation);
        Assert.Equal(HttpStatusCode.NotFound, await SessionStatusAsync(admin, "faults/from-old-incarnation"));
        Assert.Equal(HttpStatusCode.NotFound, await SessionStatusAsync(admin, "faults/to-earlier-incarnation"));
        Assert.DoesNotContain("lb2 (" + nodes.ClusterAddress(1) + ") is now leaving", nodes[0].Output, StringComparison.Ordinal); // the old self's Leave did nothing
        Assert.Contains("ignored a Heartbeat from", nodes[0].Output, StringComparison.Ordinal);
        Assert.Equal(before.Members, after.Members);
    }

    /// <summary>A replication delta pinning one session to backend "d".</summary>
    private static ReplicaData Session(UniqueAddress from, string key)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var entries = LwwMap<SessionValue>.Empty.Put(key, new SessionValue("d", now, 3_600_000), new Hlc(now, 0, from.Uid)).State;
        return new ReplicaData(from, ReplicaDataKind.Delta, [new ShardSlice(KeyShard.Of(key, 64), entries)], null);
    }

    private static async Task<HttpStatusCode> SessionStatusAsync(HttpClient admin, string key)
    {
        using var response = await admin.GetAsync(new Uri("api/v1/sessions/" + key, UriKind.Relative));
        return response.StatusCode;
    }

    private static async Task WaitForSessionAsync(HttpClient admin, string key)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (await SessionStatusAsync(admin, key) != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, $"session {key} was never merged");
            await Task.Delay(50);
        }
    }
}

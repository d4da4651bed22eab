using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Core.Membership;

namespace Appliance.Tests.Membership;

/// <summary>
/// <see cref="ClusterCore.CheckIncarnation"/>: a restarted node's old incarnation is quarantined for
/// every kind of message but discovery, and a message for an earlier life of this node is stale.
/// </summary>
public sealed class IncarnationCheckTests
{
    private static readonly NodeAddress SelfAddress = new("10.0.0.1", 7946);
    private static readonly NodeAddress PeerAddress = new("10.0.0.2", 7946);
    private static readonly UniqueAddress OldPeer = new(PeerAddress, 0x1111);
    private static readonly UniqueAddress NewPeer = new(PeerAddress, 0x2222);

    /// <summary>A node alone in its cluster that saw the peer join, then join again after a restart.</summary>
    private static ClusterCore NodeThatSawThePeerRestart()
    {
        var core = new ClusterCore(SelfAddress, "self", [SelfAddress], new MembershipOptions(), new Random(1));
        core.Start(0);
        core.Tick((long)new MembershipOptions().SeedJoinTimeout.TotalMilliseconds + 10);
        Assert.Equal(NodePhase.Member, core.Phase);
        core.Receive(new Join(OldPeer, "peer"), 0, 4_000);
        core.Receive(new Join(NewPeer, "peer"), 0, 4_100);
        Assert.Equal(MemberStatus.Down, core.Gossip.Find(OldPeer.Uid)!.Status);
        return core;
    }

    public static TheoryData<string> NonDiscoveryKinds => ["heartbeat", "gossip-status", "join", "leave"];

    private static ClusterMessage Of(string kind, UniqueAddress from) => kind switch
    {
        "heartbeat" => new Heartbeat(from, 7),
        "gossip-status" => new GossipStatus(from, VectorClock.Empty, []),
        "join" => new Join(from, "peer"),
        _ => new Leave(from),
    };

    [Theory]
    [MemberData(nameof(NonDiscoveryKinds))]
    public void CheckIncarnation_FromTheDownedOldIncarnation_FromDownedAndIgnored(string kind)
    {
        var core = NodeThatSawThePeerRestart();
        var before = core.Gossip;

        Assert.Equal(StaleMessage.FromDownedIncarnation, core.CheckIncarnation(Of(kind, OldPeer), core.Self.Uid));
        Assert.Empty(core.Receive(Of(kind, OldPeer), core.Self.Uid, 4_200));
        Assert.Same(before, core.Gossip);
    }

    [Fact]
    public void CheckIncarnation_FromTheNewIncarnation_Current()
    {
        var core = NodeThatSawThePeerRestart();

        Assert.Equal(StaleMessage.Current, core.CheckIncarnation(new Heartbeat(NewPeer, 1), core.Self.Uid));
    }

    [Fact]
    public void CheckIncarnation_DiscoveryFromTheOldIncarnation_StillHeard()
    {
        // A member the other side of a partition downed keeps probing under its old uid: that is how they meet again.
        var core = NodeThatSawThePeerRestart();

        Assert.Equal(StaleMessage.Current, core.CheckIncarnation(new InitJoin(OldPeer, null), 0));
        Assert.NotEmpty(core.Receive(new InitJoin(OldPeer, null), 0, 4_200));
    }

    [Fact]
    public void CheckIncarnation_AddressedToAnotherIncarnationOfThisNode_ForEarlierIncarnation()
    {
        var core = NodeThatSawThePeerRestart();

        Assert.Equal(StaleMessage.ForEarlierIncarnation, core.CheckIncarnation(new Heartbeat(NewPeer, 1), core.Self.Uid ^ 0xFF));
        Assert.Equal(StaleMessage.ForEarlierIncarnation, core.CheckIncarnation(new InitJoin(NewPeer, null), core.Self.Uid ^ 0xFF));
        Assert.Equal(StaleMessage.Current, core.CheckIncarnation(new Heartbeat(NewPeer, 1), 0));
    }
}

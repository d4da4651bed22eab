using Appliance.Cluster.FailureDetection;
using Appliance.Cluster.Messages;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Membership;

/// <summary>
/// The membership state machine of one node: joining through seeds, gossip with push-pull
/// digests, heartbeats and phi accrual detection, leader actions at convergence, downing of
/// unreachable members, graceful leave, rejoin as a new incarnation, and discovery of healed
/// partitions. Pure: no sockets, no timers, no clock; every entry point takes the time and
/// returns the messages to send, so simulations drive many nodes deterministically.
/// Not thread-safe: one runner owns it.
/// </summary>
public sealed partial class ClusterCore
{
    private readonly MembershipOptions _options;
    private readonly IReadOnlyList<NodeAddress> _seeds;
    private readonly Random _random;
    private readonly List<Outgoing> _out = [];

    public ClusterCore(NodeAddress address, string name, IReadOnlyList<NodeAddress> seeds, MembershipOptions options, Random random)
    {
        _options = options;
        _seeds = seeds;
        _random = random;
        Name = name;
        Self = new UniqueAddress(address, NewUid());
    }

    public string Name { get; }

    /// <summary>This incarnation; replaced when the node has to rejoin.</summary>
    public UniqueAddress Self { get; private set; }

    public NodePhase Phase { get; private set; } = NodePhase.Seeking;

    /// <summary>The gossip as this node sees it.</summary>
    public Gossip Gossip { get; private set; } = Gossip.Empty;

    /// <summary>Incarnations this node has been (current one last), for logs and tests.</summary>
    public int Incarnations { get; private set; } = 1;

    public IReadOnlyList<Outgoing> Start(long nowMs)
    {
        StartSeeking(nowMs);
        return Flush();
    }

    /// <summary>Periodic work; call at least every heartbeat interval.</summary>
    public IReadOnlyList<Outgoing> Tick(long nowMs)
    {
        switch (Phase)
        {
            case NodePhase.Seeking:
                TickSeeking(nowMs);
                break;
            case NodePhase.Member:
                TickMember(nowMs);
                break;
        }

        return Flush();
    }

    /// <summary>
    /// Whether a received message belongs to another life of a node: addressed to an earlier
    /// incarnation of this one, or sent by an incarnation the cluster has downed or removed. Such
    /// messages are ignored by membership and by replication alike. Discovery (<see cref="InitJoin"/>,
    /// <see cref="InitJoinAck"/>) is heard whatever the sender's past: it is how partitions heal.
    /// </summary>
    public StaleMessage CheckIncarnation(ClusterMessage message, ulong toUid)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (toUid != 0 && toUid != Self.Uid)
        {
            return StaleMessage.ForEarlierIncarnation;
        }

        return message is not (InitJoin or InitJoinAck) && IsQuarantined(message.From)
            ? StaleMessage.FromDownedIncarnation
            : StaleMessage.Current;
    }

    public IReadOnlyList<Outgoing> Receive(ClusterMessage message, ulong toUid, long nowMs)
    {
        if (Phase == NodePhase.Stopped || CheckIncarnation(message, toUid) != StaleMessage.Current)
        {
            return [];
        }

        if (message is InitJoin probe)
        {
            OnInitJoin(probe);
            return Flush();
        }

        if (message is InitJoinAck ack)
        {
            OnInitJoinAck(ack, nowMs);
            return Flush();
        }

        switch (message)
        {
            case Heartbeat h: OnHeartbeat(h); break;
            case HeartbeatAck a: OnHeartbeatAck(a, nowMs); break;
            case Join join: OnJoin(join, nowMs); break;
            case Welcome welcome: OnWelcome(welcome, nowMs); break;
            case GossipStatus status: OnGossipStatus(status); break;
            case GossipEnvelope envelope: OnGossipEnvelope(envelope, nowMs); break;
            case Leave leave: OnLeave(leave); break;
        }

        return Flush();
    }

    /// <summary>Graceful leave: this node goes Leaving; the leader moves it on at convergence.</summary>
    public IReadOnlyList<Outgoing> Leave(long nowMs)
    {
        if (Phase == NodePhase.Member && Gossip.Find(Self.Uid) is { Status: MemberStatus.Joining or MemberStatus.Up } me)
        {
            _leaving = true;
            ChangeGossip(Gossip.With(me.With(MemberStatus.Leaving)));
        }
        else if (Phase == NodePhase.Seeking)
        {
            Phase = NodePhase.Stopped;
        }

        return Flush();
    }

    /// <summary>Messages from an incarnation this cluster has downed or removed are ignored.</summary>
    private bool IsQuarantined(UniqueAddress from) =>
        Gossip.IsTombstoned(from.Uid) || Gossip.Find(from.Uid)?.Status is MemberStatus.Down or MemberStatus.Removed;

    private void Send(NodeAddress to, ulong toUid, ClusterMessage message) => _out.Add(new Outgoing(to, toUid, message));

    private IReadOnlyList<Outgoing> Flush()
    {
        if (_out.Count == 0)
        {
            return [];
        }

        var sent = _out.ToArray();
        _out.Clear();
        return sent;
    }

    private ulong NewUid()
    {
        Span<byte> bytes = stackalloc byte[8];
        _random.NextBytes(bytes);
        return BitConverter.ToUInt64(bytes) | 1; // never 0: 0 means "any incarnation" on the wire
    }

    /// <summary>A local change to the gossip: versioned, seen only by us, pushed to every live member.</summary>
    private void ChangeGossip(Gossip changed)
    {
        Gossip = changed.Changed(Self.Uid);
        PushToAll();
    }

    private IEnumerable<Member> OtherMembers() => Gossip.Members.Values.Where(m => m.Id.Uid != Self.Uid);

    private static FailureDetectorOptions DetectorOptions(MembershipOptions options) => options.FailureDetector;
}

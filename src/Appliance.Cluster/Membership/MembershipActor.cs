using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Remote;
using Appliance.Cluster.Downing;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Membership;

/// <summary>
/// Listens to the cluster on behalf of <c>ClusterHost</c> and keeps the cluster's state as the
/// events tell it (Akka's own <c>Cluster.State</c> is updated by another subscriber and may lag an
/// event by a moment): each membership, reachability or leader event calls
/// <paramref name="changed"/> with the state after it, and a refresh every
/// <see cref="RefreshEvery"/> does too (Akka publishes no event for convergence). The transport's
/// lifecycle events go to <paramref name="hint"/>.
/// </summary>
internal sealed class MembershipActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private ClusterEvent.CurrentClusterState _state = new();

    public MembershipActor(Action<ClusterEvent.CurrentClusterState, Akka.Cluster.Cluster> changed, Action<Address, PeerHintKind> hint)
    {
        Receive<ClusterEvent.CurrentClusterState>(s =>
        {
            _state = s;
            changed(_state, _cluster);
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            var members = _state.Members.Remove(e.Member);
            var unreachable = _state.Unreachable;
            if (e is ClusterEvent.MemberRemoved)
            {
                unreachable = unreachable.Remove(e.Member);
            }
            else
            {
                members = members.Add(e.Member);
                if (unreachable.Contains(e.Member))
                {
                    unreachable = unreachable.Remove(e.Member).Add(e.Member);
                }
            }

            _state = _state.Copy(members: members, unreachable: unreachable);
            changed(_state, _cluster);
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            _state = _state.Copy(unreachable: _state.Unreachable.Remove(e.Member).Add(e.Member));
            changed(_state, _cluster);
        });
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            _state = _state.Copy(unreachable: _state.Unreachable.Remove(e.Member));
            changed(_state, _cluster);
        });
        Receive<ClusterEvent.LeaderChanged>(e =>
        {
            _state = _state.Copy(leader: e.Leader);
            changed(_state, _cluster);
        });
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
        Receive<Refresh>(_ => changed(_state, _cluster));
        Receive<DisassociatedEvent>(e => hint(e.RemoteAddress, PeerHintKind.Disassociated));
        Receive<AssociationErrorEvent>(e => hint(e.RemoteAddress,
            DowningActor.IsRefused(e.Cause) ? PeerHintKind.Refused : PeerHintKind.AssociationFailed));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Action<ClusterEvent.CurrentClusterState, Akka.Cluster.Cluster> changed, Action<Address, PeerHintKind> hint) =>
        Akka.Actor.Props.Create(() => new MembershipActor(changed, hint));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        Context.System.EventStream.Subscribe(Self, typeof(AssociationErrorEvent));
        Timers.StartPeriodicTimer("refresh", Refresh.Instance, RefreshEvery);
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    private sealed class Refresh
    {
        public static readonly Refresh Instance = new();
    }
}

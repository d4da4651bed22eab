using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Remote;
using Appliance.Cluster.Downing;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Membership;

/// <summary>
/// Listens to the cluster on behalf of <c>ClusterHost</c> and keeps the cluster's state as the
/// events tell it (<see cref="ClusterStateTracker"/>: Akka's own <c>Cluster.State</c> may lag an
/// event): each membership, reachability or leader event calls
/// <paramref name="changed"/> with the state after it, and a refresh every
/// <see cref="RefreshEvery"/> does too (Akka publishes no event for convergence). The transport's
/// lifecycle events go to <paramref name="hint"/>.
/// </summary>
internal sealed class MembershipActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ClusterStateTracker _tracker = new();

    public MembershipActor(Action<ClusterEvent.CurrentClusterState, Akka.Cluster.Cluster> changed, Action<Address, PeerHintKind> hint)
    {
        Receive<ClusterEvent.CurrentClusterState>(s => Changed(s, changed));
        Receive<ClusterEvent.IMemberEvent>(e => Changed(e, changed));
        Receive<ClusterEvent.IReachabilityEvent>(e => Changed(e, changed));
        Receive<ClusterEvent.LeaderChanged>(e => Changed(e, changed));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
        Receive<Refresh>(_ => changed(_tracker.State, _cluster));
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

    private void Changed(object message, Action<ClusterEvent.CurrentClusterState, Akka.Cluster.Cluster> changed)
    {
        _tracker.Apply(message);
        changed(_tracker.State, _cluster);
    }

    private sealed class Refresh
    {
        public static readonly Refresh Instance = new();
    }
}

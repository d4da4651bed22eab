using Akka.Actor;
using Akka.Cluster;
using Akka.Remote;
using Appliance.Cluster.Downing;

namespace Appliance.Cluster.Members;

/// <summary>
/// Listens to the cluster on behalf of <c>ClusterHost</c>: any membership, reachability or
/// leader event calls <paramref name="changed"/> (the host rebuilds its view from the cluster's
/// state), a refresh every <see cref="RefreshEvery"/> keeps the view's convergence current (Akka publishes no event for it), and the
/// transport's lifecycle events go to <paramref name="hint"/>.
/// </summary>
internal sealed class MembershipActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);

    public MembershipActor(Action<bool> changed, Action<Address, Core.Membership.PeerHintKind> hint)
    {
        Receive<ClusterEvent.IClusterDomainEvent>(_ => changed(true));
        Receive<ClusterEvent.CurrentClusterState>(_ => changed(true));
        Receive<Refresh>(_ => changed(false));
        Receive<DisassociatedEvent>(e => hint(e.RemoteAddress, Core.Membership.PeerHintKind.Disassociated));
        Receive<AssociationErrorEvent>(e => hint(e.RemoteAddress,
            DowningActor.IsRefused(e.Cause) ? Core.Membership.PeerHintKind.Refused : Core.Membership.PeerHintKind.AssociationFailed));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Action<bool> changed, Action<Address, Core.Membership.PeerHintKind> hint) =>
        Akka.Actor.Props.Create(() => new MembershipActor(changed, hint));

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        Context.System.EventStream.Subscribe(Self, typeof(AssociationErrorEvent));
        Timers.StartPeriodicTimer("refresh", Refresh.Instance, RefreshEvery);
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    private sealed class Refresh
    {
        public static readonly Refresh Instance = new();
    }
}

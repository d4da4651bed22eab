using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Remote;

namespace Appliance.Cluster.Downing;

/// <summary>
/// The I/O shell of <see cref="DowningPolicy{TAddress}"/>: feeds it the cluster's reachability
/// events and the transport's refused dials, asks it every <see cref="TickEvery"/> and downs what
/// it names. Any member may down another (Down is idempotent); the leader then removes it.
/// </summary>
internal sealed class DowningActor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan TickEvery = TimeSpan.FromMilliseconds(100);

    private readonly DowningPolicy<Address> _policy;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public DowningActor(TimeSpan downAfter, TimeSpan refusedFor)
    {
        _policy = new DowningPolicy<Address>(downAfter, refusedFor);
        Receive<ClusterEvent.UnreachableMember>(e => _policy.Unreachable(e.Member.Address, Now));
        Receive<ClusterEvent.ReachableMember>(e => _policy.Reachable(e.Member.Address));
        Receive<ClusterEvent.MemberRemoved>(e => _policy.Removed(e.Member.Address));
        Receive<AssociationErrorEvent>(e =>
        {
            if (!e.IsInbound && IsRefused(e.Cause))
            {
                _policy.Refused(e.RemoteAddress, Now);
            }
        });
        Receive<AssociatedEvent>(e => _policy.Connected(e.RemoteAddress));
        Receive<Tick>(_ => Decide());
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private static long Now => Environment.TickCount64;

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.MemberRemoved));
        Context.System.EventStream.Subscribe(Self, typeof(AssociationErrorEvent));
        Context.System.EventStream.Subscribe(Self, typeof(AssociatedEvent));
        Timers.StartPeriodicTimer("tick", Tick.Instance, TickEvery);
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    private void Decide()
    {
        foreach (var (member, reason) in _policy.Decide(Now))
        {
            _log.Warning("Cluster: downing {0}: {1}", member, reason);
            _cluster.Down(member);
        }
    }

    /// <summary>True when the dial failed because nothing listens on the peer's port.</summary>
    internal static bool IsRefused(Exception? error)
    {
        for (var depth = 0; error is not null && depth < 8; depth++)
        {
            if (error is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return true;
            }

            if (error is AggregateException { InnerExceptions.Count: > 0 } aggregate)
            {
                return aggregate.InnerExceptions.Any(IsRefused);
            }

            if (error.Message.Contains("Connection refused", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            error = error.InnerException;
        }

        return false;
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}

using Akka.Actor;
using Akka.Cluster;

namespace Appliance.Cluster.Membership;

/// <summary>
/// The I/O shell of <see cref="HealPolicy"/>: learns lost members from this incarnation's cluster
/// events, asks each one worth asking every <see cref="AskEvery"/> whether its cluster port takes
/// a TCP connection, and calls the yield callback once with the address to join. Not through
/// Akka.Remote: once a member is removed, Akka quarantines its address and sends it nothing more,
/// an Identify included, until it restarts.
/// </summary>
internal sealed class HealActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan AskEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(500);

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ClusterStateTracker _tracker = new();
    private readonly HealPolicy _policy;
    private readonly Action<Address> _yieldTo;
    private readonly Dictionary<string, Address> _addresses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _unanswered = new(StringComparer.Ordinal);
    private bool _yielded;

    public HealActor(TimeSpan healAfter, Action<Address> yieldTo)
    {
        _policy = new HealPolicy(healAfter);
        _yieldTo = yieldTo;
        Receive<ClusterEvent.CurrentClusterState>(s => _tracker.Apply(s));
        Receive<ClusterEvent.MemberRemoved>(e =>
        {
            // Removed while unreachable: downed by someone, maybe alive on the other side of a cut.
            var wasUnreachable = _tracker.State.Unreachable.Contains(e.Member);
            _tracker.Apply(e);
            if (wasUnreachable && e.PreviousStatus == MemberStatus.Down && !e.Member.Address.Equals(_cluster.SelfAddress))
            {
                var key = Key(e.Member.Address);
                _addresses[key] = e.Member.Address;
                _policy.LostMember(key);
            }
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            _tracker.Apply(e);
            _policy.Member(Key(e.Member.Address));
        });
        Receive<ClusterEvent.IClusterDomainEvent>(e => _tracker.Apply(e));
        Receive<Ask>(_ => OnAsk());
        Receive<Probed>(p =>
        {
            _unanswered[p.Key] = 0;
            _policy.Answer(p.Key, p.Alive, Environment.TickCount64);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TimeSpan healAfter, Action<Address> yieldTo) => Akka.Actor.Props.Create(() => new HealActor(healAfter, yieldTo));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer("ask", Ask.Instance, AskEvery);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private static string Key(Address address) => $"{address.Host}:{address.Port}";

    private IEnumerable<string> Members() => _tracker.State.Members.Where(m => m.Status != MemberStatus.Removed).Select(m => Key(m.Address));

    private void OnAsk()
    {
        if (_yielded || !_tracker.State.Members.Any(m => m.Address.Equals(_cluster.SelfAddress) && m.Status == MemberStatus.Up))
        {
            return;
        }

        var now = Environment.TickCount64;
        foreach (var key in _policy.ToAsk(Members()))
        {
            // No answer to the last two questions (a probe into a cut link hangs): not alive.
            var missed = _unanswered.GetValueOrDefault(key) + 1;
            _unanswered[key] = missed;
            if (missed > 2)
            {
                _policy.Answer(key, alive: false, now);
            }

            var address = _addresses[key];
            ProbeAsync(address.Host, address.Port ?? 0).PipeTo(Self, success: alive => new Probed(key, alive));
        }

        if (_policy.YieldTo(Members(), now) is { } winner)
        {
            _yielded = true;
            _yieldTo(_addresses[winner]);
        }
    }

    /// <summary>True when the port takes a connection within <see cref="ProbeTimeout"/>; closed at once, nothing sent.</summary>
    private static async Task<bool> ProbeAsync(string? host, int port)
    {
        try
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(ProbeTimeout);
            await socket.ConnectAsync(host ?? "", port, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException or ArgumentException)
        {
            return false;
        }
    }

    private sealed record Probed(string Key, bool Alive);

    private sealed class Ask
    {
        public static readonly Ask Instance = new();
    }
}

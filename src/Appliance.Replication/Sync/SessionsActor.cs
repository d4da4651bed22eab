using Akka.Actor;
using Akka.Cluster;
using Appliance.Cluster.Membership;
using Appliance.Replication.Hosting;
using Appliance.Replication.Sessions;
using Appliance.Replication.Wire;
using Microsoft.Extensions.Logging;

namespace Appliance.Replication.Sync;

/// <summary>
/// <c>/user/appliance-sessions</c> on each incarnation's ActorSystem: the I/O shell of the
/// <see cref="SessionReplicator"/>. It learns the members from Akka.Cluster's events, reaches the
/// other members' session actors by <see cref="ActorSelection"/>, sends each batch of local writes
/// within <see cref="SessionReplicationOptions.DeltaBatch"/> of the first one (a write after a
/// quiet spell goes at once), and takes a turn at digests, the start-up sync and transfers every
/// <see cref="SessionReplicationOptions.Tick"/>. The table itself lives in the store, outside.
/// </summary>
internal sealed class SessionsActor : ReceiveActor, IWithTimers
{
    public const string Name = "appliance-sessions";

    // A sixteenth of the shards every 100 ms: each shard is walked once per 10 s horizon step, and
    // no turn walks more than a sixteenth of the table.
    private const long SweepEveryMs = 100;
    private const int SweepParts = 16;

    private readonly ReplicatedSessionStore _store;
    private readonly SyncState _sync;
    private readonly ReplicationStats _stats;
    private readonly SessionReplicationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SessionReplicator _replicator;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly ClusterStateTracker _members = new(); // not Cluster.State: it may lag the events
    private readonly Dictionary<Address, ActorSelection> _selections = [];
    private readonly List<(Address To, IReplicationMessage Message)> _outgoing = [];
    private long _lastFlushMs;
    private long _nextSweepMs;
    private bool _flushArmed;
    private SyncStatus _logged = SyncStatus.Waiting;
    private long _requestsLogged;

    public SessionsActor(ReplicatedSessionStore store, SyncState sync, ReplicationStats stats, SessionReplicationOptions options, TimeProvider time, ILogger logger)
    {
        _store = store;
        _sync = sync;
        _stats = stats;
        _options = options;
        _time = time;
        _logger = logger;
        _replicator = new SessionReplicator(store, sync, stats, options);
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        _requestsLogged = stats.SyncRequests;
        _logged = sync.Status;

        Receive<WriteSignal>(_ => OnWrite());
        Receive<Flush>(_ =>
        {
            _flushArmed = false;
            FlushNow();
        });
        Receive<Turn>(_ => OnTurn());
        Receive<IReplicationMessage>(m =>
        {
            _replicator.Receive(Sender.Path.Address, m, NowMs(), _outgoing);
            LogSync();
            SendAll();
        });
        Receive<ClusterEvent.IClusterDomainEvent>(e => UpdateMembers(e));
        Receive<ClusterEvent.CurrentClusterState>(s => UpdateMembers(s));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ReplicatedSessionStore store, SyncState sync, ReplicationStats stats, SessionReplicationOptions options, TimeProvider time, ILogger logger) =>
        Akka.Actor.Props.Create(() => new SessionsActor(store, sync, stats, options, time, logger));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        var self = Self;
        _store.SetWriteSignal(() => self.Tell(WriteSignal.Instance));
        Timers.StartPeriodicTimer("turn", Turn.Instance, _options.Tick);
        self.Tell(WriteSignal.Instance); // writes made while no actor ran (between incarnations) go out now
    }

    protected override void PostStop()
    {
        _store.SetWriteSignal(null);
        _cluster.Unsubscribe(Self);
        FlushNow(); // the last batch still reaches peers if the transport is up
    }

    private void OnWrite()
    {
        var now = NowMs();
        var batchMs = (long)_options.DeltaBatch.TotalMilliseconds;
        if (now - _lastFlushMs >= batchMs)
        {
            FlushNow();
        }
        else if (!_flushArmed)
        {
            _flushArmed = true;
            Timers.StartSingleTimer("flush", Flush.Instance, TimeSpan.FromMilliseconds(batchMs - (now - _lastFlushMs)));
        }
    }

    private void FlushNow()
    {
        _lastFlushMs = NowMs();
        _replicator.FlushDeltas(_outgoing);
        SendAll();
    }

    private void OnTurn()
    {
        var now = NowMs();
        if (now >= _nextSweepMs)
        {
            _nextSweepMs = now + SweepEveryMs;
            _store.Sweep(_time.GetUtcNow(), Math.Max(1, _store.ShardCount / SweepParts));
        }

        _replicator.Tick(now, _outgoing);
        LogSync();
        SendAll();
    }

    /// <summary>Members other than this node that are joining, up or leaving are peers; this node is a member once Up.</summary>
    private void UpdateMembers(object clusterEvent)
    {
        _members.Apply(clusterEvent);
        var state = _members.State;
        var self = _cluster.SelfAddress;
        var isMember = state.Members.Any(m => m.Address == self && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving);
        var peers = state.Members
            .Where(m => m.Address != self && m.Status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up or MemberStatus.Leaving)
            .Select(m => m.Address)
            .ToList();
        _replicator.SetMembers(isMember, peers);
        foreach (var gone in _selections.Keys.Where(a => !peers.Contains(a)).ToList())
        {
            _selections.Remove(gone);
        }
    }

    private void SendAll()
    {
        foreach (var (to, message) in _outgoing)
        {
            if (!_selections.TryGetValue(to, out var selection))
            {
                _selections[to] = selection = Context.ActorSelection(new RootActorPath(to) / "user" / Name);
            }

            selection.Tell(message, Self);
        }

        _outgoing.Clear();
    }

    private void LogSync()
    {
        if (_stats.SyncRequests > _requestsLogged)
        {
            _requestsLogged = _stats.SyncRequests;
            var to = _outgoing.FirstOrDefault(o => o.Message is SessionSyncRequest).To;
            ReplicationLog.Pulling(_logger, to?.ToString() ?? "a peer", _requestsLogged);
        }

        var status = _sync.Status;
        if (status == _logged || !status.IsDone())
        {
            return;
        }

        _logged = status;
        switch (status)
        {
            case SyncStatus.Synced:
                ReplicationLog.Synced(_logger, _sync.SyncDurationMs, _store.Count);
                break;
            case SyncStatus.Alone:
                ReplicationLog.Alone(_logger);
                break;
            case SyncStatus.GaveUp:
                ReplicationLog.GaveUp(_logger, _sync.SyncDurationMs, _stats.SyncRequests, _store.Count);
                break;
        }
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private sealed record WriteSignal
    {
        public static readonly WriteSignal Instance = new();
    }

    private sealed record Flush
    {
        public static readonly Flush Instance = new();
    }

    private sealed record Turn
    {
        public static readonly Turn Instance = new();
    }
}

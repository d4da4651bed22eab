using Akka.Actor;
using Akka.Cluster;
using Appliance.Cluster.Membership;
using Akka.DistributedData;
using Appliance.Replication.Sync;
using Appliance.Replication.Wire;

namespace Appliance.Replication.Gauges;

/// <summary>
/// <c>/user/appliance-gauges</c>: this node's gauges in one Akka.DistributedData
/// <see cref="LWWDictionary{TKey,TValue}"/>, one entry per member incarnation keyed
/// <c>address#uid</c>, written only by that member (WriteLocal; DData's gossip spreads it). The
/// cluster sum counts the entries of live, reachable members only, and an entry of a removed member
/// is removed: never folded into a survivor's, as DData's pruning would do with a counter.
/// </summary>
internal sealed class GaugesActor : ReceiveActor, IWithTimers
{
    public const string Name = "appliance-gauges";

    public static readonly LWWDictionaryKey<string, NodeGauges> Key = new("appliance-gauges");

    private readonly ReplicatedConnectionCounts _counts;
    private readonly ReplicationStats _stats;
    private readonly TimeSpan _publishEvery;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly IActorRef _replicator;
    private readonly string _selfKey;
    private readonly ClusterStateTracker _members = new(); // not Cluster.State: it may lag the events
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private LWWDictionary<string, NodeGauges> _data = LWWDictionary<string, NodeGauges>.Empty;
    private bool _published;

    public GaugesActor(ReplicatedConnectionCounts counts, ReplicationStats stats, TimeSpan publishEvery)
    {
        _counts = counts;
        _stats = stats;
        _publishEvery = publishEvery;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        _replicator = DistributedData.Get(Context.System).Replicator;
        _selfKey = KeyOf(_cluster.SelfUniqueAddress);

        Receive<Publish>(_ => OnPublish());
        Receive<Changed>(c =>
        {
            if (c.Key.Equals(Key))
            {
                _data = c.Get(Key);
                PruneRemoved();
                Recount();
            }
        });
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            _members.Apply(m);
            _removed.Add(KeyOf(m.Member.UniqueAddress));
            PruneRemoved();
            Recount();
        });
        Receive<ClusterEvent.IClusterDomainEvent>(e =>
        {
            _members.Apply(e);
            Recount();
        });
        Receive<ClusterEvent.CurrentClusterState>(s =>
        {
            _members.Apply(s);
            Recount();
        });
        ReceiveAny(_ => { }); // UpdateSuccess and the like: WriteLocal cannot fail in a way worth acting on
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ReplicatedConnectionCounts counts, ReplicationStats stats, TimeSpan publishEvery) =>
        Akka.Actor.Props.Create(() => new GaugesActor(counts, stats, publishEvery));

    /// <summary>The entry key of one member incarnation.</summary>
    public static string KeyOf(UniqueAddress member) => $"{member.Address}#{member.Uid}";

    protected override void PreStart()
    {
        _replicator.Tell(Dsl.Subscribe(Key, Self));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer("publish", Publish.Instance, _publishEvery);
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _replicator.Tell(Dsl.Unsubscribe(Key, Self));
    }

    /// <summary>At most once per interval, and only when a gauge moved (or never published in this incarnation).</summary>
    private void OnPublish()
    {
        if (!_counts.TakeDirty() && _published)
        {
            return;
        }

        _published = true;
        var gauges = _counts.Snapshot();
        var cluster = _cluster;
        var key = _selfKey;
        _replicator.Tell(Dsl.Update(Key, LWWDictionary<string, NodeGauges>.Empty, WriteLocal.Instance, d => d.SetItem(cluster, key, gauges)));
        _stats.GaugesPublished();
    }

    /// <summary>Removes the entries of removed incarnations (again, if a late gossip brought one back).</summary>
    private void PruneRemoved()
    {
        var stale = _data.Keys.Where(_removed.Contains).ToList();
        if (stale.Count == 0)
        {
            return;
        }

        var cluster = _cluster;
        _replicator.Tell(Dsl.Update(Key, LWWDictionary<string, NodeGauges>.Empty, WriteLocal.Instance, d =>
        {
            foreach (var k in stale)
            {
                d = d.Remove(cluster, k);
            }

            return d;
        }));
    }

    /// <summary>The sum over the other members that are alive (joining to exiting) and reachable from here.</summary>
    private void Recount()
    {
        var state = _members.State;
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        var live = state.Members
            .Where(m => m.Status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting)
            .Where(m => !unreachable.Contains(m.UniqueAddress))
            .Select(m => KeyOf(m.UniqueAddress))
            .Where(k => k != _selfKey)
            .ToHashSet(StringComparer.Ordinal);
        _counts.SetRemote(_data.Entries.Where(e => live.Contains(e.Key)).Select(e => e.Value));
    }

    private sealed record Publish
    {
        public static readonly Publish Instance = new();
    }
}

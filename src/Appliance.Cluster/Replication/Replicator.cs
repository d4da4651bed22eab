using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Replication.Crdt;
using Appliance.Cluster.Replication.Messages;

namespace Appliance.Cluster.Replication;

/// <summary>
/// Spreads the replicated tables, like <see cref="ClusterCore"/> a state machine without I/O or
/// clocks: the runner passes the time and sends what it returns. Local deltas are batched and
/// pushed to every peer; a periodic digest to one peer at a time repairs lost deltas with whole
/// shards; a starting node pulls full state from a peer before it reports <see cref="IsSynced"/>.
/// Not thread-safe: one loop drives it.
/// </summary>
internal sealed class Replicator
{
    private UniqueAddress _self;
    private readonly ReplicatedSessionStore _sessions;
    private readonly ReplicatedConnectionCounts _counts;
    private readonly ReplicatorOptions _options;
    private List<UniqueAddress> _peers = [];
    private readonly HashSet<ulong> _dropped = [];
    private long _startMs = -1;
    private long _nextDeltaMs;
    private long _nextDigestMs;
    private long _nextSyncMs;
    private int _digestTurn;
    private int _syncTurn;

    public Replicator(UniqueAddress self, ReplicatedSessionStore sessions, ReplicatedConnectionCounts counts, ReplicatorOptions options)
    {
        _self = self;
        _sessions = sessions;
        _counts = counts;
        _options = options;
    }

    /// <summary>True once full state came from a peer, or no peer showed up in time (this node is alone).</summary>
    public bool IsSynced { get; private set; }

    /// <summary>
    /// This node's current incarnation, the live members to replicate with (this node may be among
    /// them) and the incarnations that are Down or Removed: their gauges are dropped everywhere.
    /// </summary>
    public void SetMembers(UniqueAddress self, IEnumerable<UniqueAddress> upPeers, IEnumerable<ulong> downOrRemoved)
    {
        if (self.Uid != _self.Uid)
        {
            _self = self;
            _counts.ChangeNode(self.Uid);
        }

        _peers = [.. upPeers.Where(p => p.Uid != _self.Uid).OrderBy(p => p)];
        foreach (var uid in downOrRemoved)
        {
            if (_dropped.Add(uid))
            {
                _counts.DropNode(uid);
            }
        }
    }

    public IReadOnlyList<Outgoing> Tick(long nowMs)
    {
        if (_startMs < 0)
        {
            _startMs = nowMs;
        }

        var outgoing = new List<Outgoing>();
        if (nowMs >= _nextDeltaMs)
        {
            _nextDeltaMs = nowMs + _options.DeltaIntervalMs;
            PushDeltas(outgoing);
        }

        if (!IsSynced)
        {
            RequestSync(nowMs, outgoing);
        }

        if (nowMs >= _nextDigestMs && _peers.Count > 0)
        {
            _nextDigestMs = nowMs + _options.DigestIntervalMs;
            var peer = _peers[_digestTurn++ % _peers.Count];
            var hashes = Enumerable.Range(0, _sessions.ShardCount).Select(_sessions.ShardDigest).ToList();
            outgoing.Add(To(peer, new ReplicaDigest(_self, hashes, StateDigest.Of(_counts.FullState()))));
        }

        return outgoing;
    }

    public IReadOnlyList<Outgoing> Receive(ClusterMessage message)
    {
        var outgoing = new List<Outgoing>();
        switch (message)
        {
            case ReplicaData data:
                foreach (var slice in data.Sessions)
                {
                    if (slice.Shard >= 0 && slice.Shard < _sessions.ShardCount)
                    {
                        _sessions.MergeRemote(slice.Shard, slice.Entries);
                    }
                }

                if (data.Gauges is not null)
                {
                    _counts.MergeRemote(data.Gauges);
                }

                IsSynced |= data.Kind == ReplicaDataKind.SyncComplete;
                break;
            case ReplicaDigest digest:
                Repair(digest, outgoing);
                break;
            case ReplicaSyncRequest request:
                SendAll(request.From, outgoing);
                break;
        }

        return outgoing;
    }

    private void PushDeltas(List<Outgoing> outgoing)
    {
        var sessions = _sessions.DrainDeltas();
        var gauges = _counts.DrainDelta();
        if (_peers.Count == 0 || (sessions.Count == 0 && gauges is null))
        {
            // Nobody to tell: a peer that joins later pulls full state, and digests repair the rest.
            return;
        }

        foreach (var message in Pack(ReplicaDataKind.Delta, sessions.Select(d => new ShardSlice(d.Shard, d.Delta)), gauges, ReplicaDataKind.Delta))
        {
            outgoing.AddRange(_peers.Select(peer => To(peer, message)));
        }
    }

    private void RequestSync(long nowMs, List<Outgoing> outgoing)
    {
        if (_peers.Count == 0)
        {
            IsSynced = nowMs - _startMs >= _options.AloneAfterMs;
            return;
        }

        if (nowMs >= _nextSyncMs)
        {
            _nextSyncMs = nowMs + _options.SyncRetryMs;
            outgoing.Add(To(_peers[_syncTurn++ % _peers.Count], new ReplicaSyncRequest(_self)));
        }
    }

    private void Repair(ReplicaDigest digest, List<Outgoing> outgoing)
    {
        var differing = new List<ShardSlice>();
        for (var shard = 0; shard < _sessions.ShardCount; shard++)
        {
            var state = _sessions.ShardState(shard);
            var theirs = shard < digest.ShardHashes.Count ? digest.ShardHashes[shard] : 0;
            if (_sessions.ShardDigest(shard) != theirs && state.Entries.Count > 0)
            {
                differing.Add(new ShardSlice(shard, state));
            }
        }

        var gauges = _counts.FullState();
        var gaugePart = StateDigest.Of(gauges) != digest.GaugeHash ? gauges : null;
        foreach (var message in Pack(ReplicaDataKind.Repair, differing, gaugePart, ReplicaDataKind.Repair))
        {
            outgoing.Add(To(digest.From, message));
        }
    }

    private void SendAll(UniqueAddress to, List<Outgoing> outgoing)
    {
        var shards = Enumerable.Range(0, _sessions.ShardCount).Select(s => new ShardSlice(s, _sessions.ShardState(s)));
        var messages = Pack(ReplicaDataKind.Sync, shards, _counts.FullState(), ReplicaDataKind.SyncComplete);
        outgoing.AddRange(messages.Select(m => To(to, m)));
    }

    /// <summary>
    /// Packs slices into messages of at most <see cref="ReplicatorOptions.MaxEntriesPerMessage"/>
    /// entries; the gauges ride in the last one, which is of kind <paramref name="lastKind"/>.
    /// Always at least one message, so a sync of an empty state still completes.
    /// </summary>
    private List<ReplicaData> Pack(ReplicaDataKind kind, IEnumerable<ShardSlice> slices, GaugeMap? gauges, ReplicaDataKind lastKind)
    {
        var messages = new List<ReplicaData>();
        var current = new List<ShardSlice>();
        var entries = 0;
        foreach (var slice in slices)
        {
            foreach (var chunk in slice.Entries.Chunks(_options.MaxEntriesPerMessage))
            {
                if (entries + chunk.Entries.Count > _options.MaxEntriesPerMessage && current.Count > 0)
                {
                    messages.Add(new ReplicaData(_self, kind, current, null));
                    current = [];
                    entries = 0;
                }

                current.Add(new ShardSlice(slice.Shard, chunk));
                entries += chunk.Entries.Count;
            }
        }

        if (current.Count > 0 || gauges is not null || lastKind == ReplicaDataKind.SyncComplete)
        {
            messages.Add(new ReplicaData(_self, lastKind, current, gauges));
        }
        else if (messages.Count > 0)
        {
            messages[^1] = messages[^1] with { Kind = lastKind };
        }

        return messages;
    }

    private static Outgoing To(UniqueAddress peer, ClusterMessage message) => new(peer.Address, peer.Uid, message);
}

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
/// Repairs and full-state transfers are paced by one entry budget so they cannot flood the wire.
/// Not thread-safe: one loop drives it.
/// </summary>
internal sealed class Replicator
{
    private UniqueAddress _self;
    private readonly ReplicatedSessionStore _sessions;
    private readonly ReplicatedConnectionCounts _counts;
    private readonly ReplicatorOptions _options;
    private readonly EntryBudget _budget;
    private readonly List<Transfer> _transfers = [];
    private List<UniqueAddress> _peers = [];
    private readonly HashSet<ulong> _dropped = [];

    // Peers that hash shards by another scheme (an older version, during a rolling upgrade): their
    // digests and ours never agree, so neither is sent or compared (deltas and full syncs still work).
    private readonly HashSet<ulong> _otherScheme = [];
    private bool _isMember;
    private long _startMs = -1;
    private long _nextDeltaMs;
    private long _nextDigestMs;
    private long _lastSyncProgressMs;
    private long _syncRequestedMs;
    private UniqueAddress? _syncPeer;
    private int _digestTurn;
    private int _syncTurn;
    private int _transferTurn;
    private DigestJob? _building;
    private readonly List<DigestJob> _comparing = [];
    private bool _hadPeers;

    public Replicator(UniqueAddress self, ReplicatedSessionStore sessions, ReplicatedConnectionCounts counts, ReplicatorOptions options)
    {
        _self = self;
        _sessions = sessions;
        _counts = counts;
        _options = options;
        _budget = new EntryBudget(options.TransferEntriesPerSecond);
    }

    public ReplicationStats Stats { get; } = new();

    /// <summary>Where the start-up sync is.</summary>
    public SyncStatus Status => Stats.Status;

    /// <summary>True once full state came from a peer, this node formed the cluster alone, or the wait hit its upper bound.</summary>
    public bool IsSynced => Status.IsDone();

    /// <summary>Transfers (repairs, full syncs) still being sent.</summary>
    public int PendingTransfers => _transfers.Count;

    /// <summary>
    /// This node's current incarnation, whether it is a cluster member yet, the live members to
    /// replicate with (this node may be among them) and the incarnations that are Down or Removed:
    /// their gauges are dropped everywhere.
    /// </summary>
    public void SetMembers(UniqueAddress self, bool isMember, IEnumerable<UniqueAddress> upPeers, IEnumerable<ulong> downOrRemoved)
    {
        if (self.Uid != _self.Uid)
        {
            // A new incarnation is a new replica: the drops the old one made are forgotten with
            // its counts (ReplicatedConnectionCounts.ChangeNode); the new view's Down list follows.
            _self = self;
            _dropped.Clear();
            _counts.ChangeNode(self.Uid);
        }

        _isMember = isMember;
        _peers = [.. upPeers.Where(p => p.Uid != _self.Uid).OrderBy(p => p)];
        foreach (var uid in downOrRemoved)
        {
            if (_dropped.Add(uid))
            {
                _counts.DropNode(uid);
            }
        }

        // A peer that left or died takes its unfinished transfers and digest comparisons with it.
        _comparing.RemoveAll(j => !_peers.Contains(j.Peer));
        _otherScheme.RemoveWhere(uid => !_peers.Any(p => p.Uid == uid));
        _transfers.RemoveAll(t =>
        {
            var gone = !_peers.Contains(t.To);
            if (gone)
            {
                t.Dispose();
            }

            return gone;
        });
    }

    /// <summary>
    /// One turn: deltas, the start-up sync, digests and paced transfers. <paramref name="backlogged"/>
    /// tells which peers' send queues are still full of earlier messages: transfers to them wait,
    /// so a full sync never fills a queue it shares with heartbeats (which a full queue drops first).
    /// </summary>
    public IReadOnlyList<Outgoing> Tick(long nowMs, Func<UniqueAddress, bool>? backlogged = null)
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
            AdvanceSync(nowMs, outgoing);
        }

        List<UniqueAddress> digestPeers = _otherScheme.Count == 0 ? _peers : [.. _peers.Where(p => !_otherScheme.Contains(p.Uid))];
        if (nowMs >= _nextDigestMs && digestPeers.Count > 0 && _building is null)
        {
            // While pulling, only the sync peer hears the digest (it repairs what its transfer lost);
            // any other peer would send the whole state a second time as repairs.
            // A digest hashes the whole table: with a big one, send them less often (at 1,000,000
            // sessions every 5 s) so the loop that also carries heartbeats is not kept busy.
            _nextDigestMs = nowMs + (_options.DigestIntervalMs * Math.Max(1, _sessions.Count / _options.DigestStretchSessions));
            var peer = IsSynced || _syncPeer is not { } syncPeer ? digestPeers[_digestTurn++ % digestPeers.Count] : syncPeer;
            if (!_otherScheme.Contains(peer.Uid))
            {
                _building = new DigestJob(peer, _sessions.DigestCut(_options.DigestSettle), null, _sessions.ShardCount);
            }
        }

        HashShards(outgoing);
        SendTransfers(nowMs, outgoing, backlogged);
        return outgoing;
    }

    public IReadOnlyList<Outgoing> Receive(ClusterMessage message, long nowMs)
    {
        var outgoing = new List<Outgoing>();
        switch (message)
        {
            case ReplicaData data:
                Merge(data);
                if (data.Kind is ReplicaDataKind.Sync or ReplicaDataKind.SyncComplete && !IsSynced)
                {
                    _lastSyncProgressMs = nowMs;
                    if (data.Kind == ReplicaDataKind.SyncComplete)
                    {
                        Stats.SyncTransferred(nowMs - _syncRequestedMs);
                        SetStatus(SyncStatus.Synced, nowMs);
                    }
                }

                break;
            case ReplicaDigest digest when digest.SessionScheme != StateDigest.SessionScheme:
                _otherScheme.Add(digest.From.Uid);
                Stats.OtherSchemeDigest();
                break;
            case ReplicaDigest digest:
                // Compared shard by shard in the next turns (HashShards); a peer's newer digest replaces one still queued.
                if (!_transfers.Any(t => t.To == digest.From))
                {
                    _comparing.RemoveAll(j => j.Peer == digest.From);
                    var cut = digest.WrittenBeforeMs > 0 ? digest.WrittenBeforeMs : _sessions.DigestCut(_options.DigestSettle);
                    _comparing.Add(new DigestJob(digest.From, cut, digest, _sessions.ShardCount));
                }

                break;
            case ReplicaSyncRequest request:
                // A repeated request (the requester saw no progress) starts the transfer afresh.
                RemoveTransfer(request.From, fullSync: true);
                Stats.FullSyncStarted();
                _transfers.Add(new Transfer(request.From, true, AllState()));
                break;
        }

        return outgoing;
    }

    private void Merge(ReplicaData data)
    {
        var entries = 0;
        foreach (var slice in data.Sessions)
        {
            if (slice.Shard >= 0 && slice.Shard < _sessions.ShardCount)
            {
                _sessions.MergeRemote(slice.Shard, slice.Entries, data.Kind == ReplicaDataKind.Delta ? Stats.Visibility : null);
                entries += slice.Entries.Count;
            }
        }

        if (data.Gauges is not null)
        {
            _counts.MergeRemote(data.Gauges);
            entries += data.Gauges.Nodes.Sum(n => n.Value.Count);
        }

        Stats.Received(entries);
        if (data.Kind == ReplicaDataKind.Repair)
        {
            Stats.RepairReceived();
        }
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

        var slices = sessions.Select(d => (d.Shard, (IEnumerable<IReadOnlyList<KeyValuePair<string, LwwEntry<SessionValue>>>>)d.Delta.Chunk(_options.MaxEntriesPerMessage)));
        foreach (var message in Pack(ReplicaDataKind.Delta, slices, gauges, ReplicaDataKind.Delta))
        {
            var entries = EntryCount(message);
            foreach (var peer in _peers)
            {
                outgoing.Add(To(peer, message));
                Stats.DeltaSent(entries);
            }
        }
    }

    /// <summary>
    /// The start-up sync: alone (a member with no peer) is synced at once; otherwise ask one peer
    /// and move on to the next when its transfer makes no progress; past the upper bound give up.
    /// </summary>
    private void AdvanceSync(long nowMs, List<Outgoing> outgoing)
    {
        if (nowMs - _startMs >= _options.MaxSyncWaitMs)
        {
            SetStatus(SyncStatus.GaveUp, nowMs);
            return;
        }

        if (!_isMember)
        {
            return;
        }

        if (_peers.Count == 0)
        {
            // A member that never had a peer formed the cluster (no seed answered within the seed
            // join timeout): nothing to pull. One whose peers went away mid-sync (downed while the
            // transfer starved heartbeats, say) still lacks the state: it waits for a peer or the bound.
            if (!_hadPeers)
            {
                SetStatus(SyncStatus.Alone, nowMs);
            }

            return;
        }

        _hadPeers = true;

        var peerGone = _syncPeer is { } current && !_peers.Contains(current);
        if (_syncPeer is null || peerGone || nowMs - _lastSyncProgressMs >= _options.SyncRetryMs)
        {
            var peer = _peers[_syncTurn++ % _peers.Count];
            _syncPeer = peer;
            _lastSyncProgressMs = nowMs;
            _syncRequestedMs = nowMs;
            Stats.SyncRequested();
            SetStatus(SyncStatus.Pulling, nowMs);
            outgoing.Add(To(peer, new ReplicaSyncRequest(_self)));
        }
    }

    private void SetStatus(SyncStatus status, long nowMs) => Stats.SetStatus(status, nowMs - Math.Max(0, _startMs));

    /// <summary>
    /// Hashes shards for the digest being built, then for the peers' digests being compared, at
    /// most <see cref="ReplicatorOptions.HashEntriesPerTick"/> entries per turn (at least one shard).
    /// </summary>
    private void HashShards(List<Outgoing> outgoing)
    {
        var budget = _options.HashEntriesPerTick;
        while (budget > 0 && (_building ?? _comparing.FirstOrDefault()) is { } job)
        {
            var shard = job.Next++;
            var ours = _sessions.ShardDigest(shard, job.Cut, out var work);
            budget -= Math.Max(1, work);
            if (job.Theirs is not { } theirs)
            {
                job.Hashes.Add(ours);
            }
            else if (ours != (shard < theirs.ShardHashes.Count ? theirs.ShardHashes[shard] : 0) && _sessions.ShardSize(shard) > 0)
            {
                job.Differing.Add(shard);
            }

            if (job.Done)
            {
                Finish(job, outgoing);
            }
        }
    }

    private void Finish(DigestJob job, List<Outgoing> outgoing)
    {
        if (job.Theirs is not { } theirs)
        {
            _building = null;
            if (_peers.Contains(job.Peer))
            {
                outgoing.Add(To(job.Peer, new ReplicaDigest(_self, job.Hashes, StateDigest.Of(_counts.FullState()), job.Cut, StateDigest.SessionScheme)));
            }

            return;
        }

        _comparing.Remove(job);
        var gauges = _counts.FullState();
        var gaugePart = StateDigest.Of(gauges) != theirs.GaugeHash ? gauges : null;
        if ((job.Differing.Count == 0 && gaugePart is null) || !_peers.Contains(job.Peer) || _transfers.Any(t => t.To == job.Peer))
        {
            return;
        }

        Stats.RepairStarted();
        _transfers.Add(new Transfer(job.Peer, false, Pack(ReplicaDataKind.Repair, job.Differing, gaugePart, ReplicaDataKind.Repair)));
    }

    /// <summary>Every shard (each copied when its turn comes, so the newest state goes) and the gauges last.</summary>
    private IEnumerable<ReplicaData> AllState() =>
        Pack(ReplicaDataKind.Sync, Enumerable.Range(0, _sessions.ShardCount), null, ReplicaDataKind.SyncComplete, () => _counts.FullState());

    /// <summary>Round robin over the transfers, one message at a time, while the budget lasts.</summary>
    private void SendTransfers(long nowMs, List<Outgoing> outgoing, Func<UniqueAddress, bool>? backlogged)
    {
        _budget.Refill(nowMs);
        var waiting = 0;
        while (_transfers.Count > 0 && _budget.HasRoom && waiting < _transfers.Count)
        {
            var transfer = _transfers[_transferTurn++ % _transfers.Count];
            if (backlogged?.Invoke(transfer.To) == true)
            {
                waiting++;
                continue;
            }

            waiting = 0;
            if (transfer.Next() is not { } message)
            {
                _transfers.Remove(transfer);
                transfer.Dispose();
                continue;
            }

            var entries = EntryCount(message);
            _budget.Spend(entries);
            if (transfer.FullSync)
            {
                Stats.FullSyncChunkSent(entries);
            }
            else
            {
                Stats.RepairChunkSent(entries);
            }

            outgoing.Add(To(transfer.To, message));
        }
    }

    private void RemoveTransfer(UniqueAddress to, bool fullSync)
    {
        foreach (var transfer in _transfers.Where(t => t.To == to && t.FullSync == fullSync).ToList())
        {
            _transfers.Remove(transfer);
            transfer.Dispose();
        }
    }

    private static int EntryCount(ReplicaData message) =>
        message.Sessions.Sum(s => s.Entries.Count) + (message.Gauges?.Nodes.Sum(n => n.Value.Count) ?? 0);

    /// <summary>
    /// Packs shards (each copied when its turn comes) lazily into messages of at most
    /// <see cref="ReplicatorOptions.MaxEntriesPerMessage"/> entries; the gauges ride in the last
    /// one, which is of kind <paramref name="lastKind"/>.
    /// Always at least one message when the last kind completes a sync, so a sync of an empty
    /// state still completes. <paramref name="lateGauges"/>, when given, is read only at the end.
    /// </summary>
    private IEnumerable<ReplicaData> Pack(
        ReplicaDataKind kind, IEnumerable<int> shards, GaugeMap? gauges, ReplicaDataKind lastKind, Func<GaugeMap>? lateGauges = null) =>
        Pack(kind, shards.Select(s => (s, (IEnumerable<IReadOnlyList<KeyValuePair<string, LwwEntry<SessionValue>>>>)_sessions.ShardChunks(s, _options.MaxEntriesPerMessage))), gauges, lastKind, lateGauges);

    private IEnumerable<ReplicaData> Pack(
        ReplicaDataKind kind,
        IEnumerable<(int Shard, IEnumerable<IReadOnlyList<KeyValuePair<string, LwwEntry<SessionValue>>>> Chunks)> slices,
        GaugeMap? gauges,
        ReplicaDataKind lastKind,
        Func<GaugeMap>? lateGauges = null)
    {
        ReplicaData? previous = null;
        var current = new List<ShardSlice>();
        var entries = 0;
        foreach (var (shard, chunks) in slices)
        {
            foreach (var chunk in chunks)
            {
                if (entries + chunk.Count > _options.MaxEntriesPerMessage && current.Count > 0)
                {
                    if (previous is not null)
                    {
                        yield return previous;
                    }

                    previous = new ReplicaData(_self, kind, current, null);
                    current = [];
                    entries = 0;
                }

                current.Add(new ShardSlice(shard, chunk));
                entries += chunk.Count;
            }
        }

        gauges ??= lateGauges?.Invoke();
        if (current.Count > 0 || gauges is not null || lastKind == ReplicaDataKind.SyncComplete)
        {
            if (previous is not null)
            {
                yield return previous;
            }

            yield return new ReplicaData(_self, lastKind, current, gauges);
        }
        else if (previous is not null)
        {
            yield return previous with { Kind = lastKind };
        }
    }

    private static Outgoing To(UniqueAddress peer, ClusterMessage message) => new(peer.Address, peer.Uid, message);
}

using Akka.Actor;
using Appliance.Replication.Sessions;
using Appliance.Replication.Wire;

namespace Appliance.Replication.Sync;

/// <summary>
/// Spreads the session table, a state machine without I/O or clocks: the session actor passes the
/// time and the members, and sends what it returns. Local deltas are batched and pushed to every
/// peer; a periodic digest to one peer at a time repairs lost deltas with whole shards; a starting
/// node pulls the full state from a peer before it reports synced. Repairs and full-state transfers
/// are paced by one entry budget and a window of unacknowledged messages per peer, so they cannot
/// flood the connection that also carries Akka's heartbeats. One per incarnation; not thread-safe.
/// </summary>
internal sealed class SessionReplicator
{
    private readonly ReplicatedSessionStore _sessions;
    private readonly SyncState _sync;
    private readonly ReplicationStats _stats;
    private readonly SessionReplicationOptions _options;
    private readonly EntryBudget _budget;
    private readonly List<PeerTransfer> _transfers = [];
    private readonly Dictionary<Address, SendWindow> _windows = [];
    private readonly List<DigestJob> _comparing = [];
    private List<Address> _peers = [];
    private bool _isMember;
    private bool _hadPeers;
    private long _startMs = -1;
    private long _nextDigestMs;
    private long _lastSyncProgressMs;
    private long _syncRequestedMs;
    private Address? _syncPeer;
    private int _digestTurn;
    private int _syncTurn;
    private int _transferTurn;
    private DigestJob? _building;

    public SessionReplicator(ReplicatedSessionStore sessions, SyncState sync, ReplicationStats stats, SessionReplicationOptions options)
    {
        _sessions = sessions;
        _sync = sync;
        _stats = stats;
        _options = options;
        _budget = new EntryBudget(options.TransferEntriesPerSecond);
    }

    /// <summary>Transfers (repairs, full syncs) still being sent.</summary>
    public int PendingTransfers => _transfers.Count;

    public IReadOnlyList<Address> Peers => _peers;

    /// <summary>Whether this node is a member (Up) yet, and the other live members to replicate with.</summary>
    public void SetMembers(bool isMember, IEnumerable<Address> peers)
    {
        _isMember = isMember;
        _peers = [.. peers.Distinct().OrderBy(p => p.ToString(), StringComparer.Ordinal)];
        var live = _peers.ToHashSet();

        // A peer that left or died takes its unfinished transfers, comparisons and window with it.
        _comparing.RemoveAll(j => !live.Contains(j.Peer));
        if (_building is { } building && !live.Contains(building.Peer))
        {
            _building = null;
        }

        foreach (var gone in _windows.Keys.Where(a => !live.Contains(a)).ToList())
        {
            _windows.Remove(gone);
        }

        _transfers.RemoveAll(t =>
        {
            var gone = !live.Contains(t.To);
            if (gone)
            {
                t.Dispose();
            }

            return gone;
        });
    }

    /// <summary>The local writes since the last call, as delta messages to every peer.</summary>
    public void FlushDeltas(List<(Address To, IReplicationMessage Message)> outgoing)
    {
        var deltas = _sessions.DrainDeltas();
        if (_peers.Count == 0 || deltas.Count == 0)
        {
            // Nobody to tell: a peer that joins later pulls the full state, and digests repair the rest.
            return;
        }

        var slices = deltas.Select(d => (d.Shard, (IEnumerable<IReadOnlyList<KeyValuePair<string, LwwEntry<SessionValue>>>>)[d.Delta]));
        foreach (var message in Pack(SessionDataKind.Delta, slices, SessionDataKind.Delta))
        {
            var entries = EntryCount(message);
            foreach (var peer in _peers)
            {
                outgoing.Add((peer, message));
                _stats.DeltaSent(entries);
            }
        }
    }

    /// <summary>One turn: the start-up sync, digests and paced transfers.</summary>
    public void Tick(long nowMs, List<(Address To, IReplicationMessage Message)> outgoing)
    {
        if (_startMs < 0)
        {
            _startMs = _sync.StartedMs(nowMs);
        }

        if (!_sync.EverSynced)
        {
            AdvanceSync(nowMs, outgoing);
        }

        if (nowMs >= _nextDigestMs && _peers.Count > 0 && _building is null)
        {
            // While pulling, only the sync peer hears the digest (it repairs what its transfer
            // lost); any other peer would send the whole state a second time as repairs. A big
            // table is digested less often (every 5 s at 1,000,000 sessions).
            _nextDigestMs = nowMs + (_options.DigestIntervalMs * Math.Max(1, _sessions.Count / _options.DigestStretchSessions));
            var peer = _sync.EverSynced || _syncPeer is not { } syncPeer ? _peers[_digestTurn++ % _peers.Count] : syncPeer;
            _building = new DigestJob(peer, _sessions.DigestCut(_options.DigestSettle), null, _sessions.ShardCount);
        }

        HashShards(outgoing);
        SendTransfers(nowMs, outgoing);
    }

    /// <summary>A message from <paramref name="from"/>; replies go to <paramref name="outgoing"/>.</summary>
    public void Receive(Address from, IReplicationMessage message, long nowMs, List<(Address To, IReplicationMessage Message)> outgoing)
    {
        switch (message)
        {
            case SessionData data:
                Merge(data);
                if (data.Seq > 0)
                {
                    outgoing.Add((from, new SessionAck(data.Seq)));
                }

                if (data.Kind is SessionDataKind.Sync or SessionDataKind.SyncComplete && !_sync.EverSynced)
                {
                    _lastSyncProgressMs = nowMs;
                    if (data.Kind == SessionDataKind.SyncComplete)
                    {
                        _sync.Transferred(nowMs - _syncRequestedMs);
                        _sync.Set(SyncStatus.Synced, nowMs);
                    }
                }

                break;
            case SessionAck ack:
                if (_windows.TryGetValue(from, out var window))
                {
                    window.Acked(ack.Seq, nowMs);
                }

                break;
            case SessionDigest digest when digest.Scheme != StateDigest.SessionScheme:
                _stats.RejectedMessage();
                break;
            case SessionDigest digest:
                // Compared shard by shard in the next turns; a newer digest replaces one still queued.
                if (!_transfers.Any(t => t.To == from))
                {
                    _comparing.RemoveAll(j => j.Peer == from);
                    var cut = digest.WrittenBeforeMs > 0 ? digest.WrittenBeforeMs : _sessions.DigestCut(_options.DigestSettle);
                    _comparing.Add(new DigestJob(from, cut, digest, _sessions.ShardCount));
                }

                break;
            case SessionSyncRequest:
                // A repeated request (the requester saw no progress) starts the transfer afresh.
                RemoveTransfers(from, fullSync: true);
                _stats.FullSyncStarted();
                _transfers.Add(new PeerTransfer(from, true, AllState()));
                break;
            case RejectedMessage:
                _stats.RejectedMessage();
                break;
        }
    }

    private void Merge(SessionData data)
    {
        var entries = 0;
        foreach (var slice in data.Slices)
        {
            if (slice.Shard >= 0 && slice.Shard < _sessions.ShardCount)
            {
                _sessions.MergeRemote(slice.Shard, slice.Entries, data.Kind == SessionDataKind.Delta ? _stats.Visibility : null);
                entries += slice.Entries.Count;
            }
        }

        _stats.Received(entries);
        if (data.Kind == SessionDataKind.Repair)
        {
            _stats.RepairReceived();
        }
    }

    /// <summary>
    /// Alone (a member with no peer ever) is synced at once; otherwise ask one peer and move on to
    /// the next when its transfer makes no progress; past the upper bound give up.
    /// </summary>
    private void AdvanceSync(long nowMs, List<(Address To, IReplicationMessage Message)> outgoing)
    {
        if (nowMs - _startMs >= _options.MaxSyncWaitMs)
        {
            _sync.Set(SyncStatus.GaveUp, nowMs);
            return;
        }

        if (!_isMember)
        {
            return;
        }

        if (_peers.Count == 0)
        {
            // A member that never had a peer formed the cluster: nothing to pull. One whose every
            // peer has since been downed or removed (a partition right after it joined) has nobody
            // left to pull from: waiting for the bound would only keep the cluster's one member
            // unready and its VIPs unheld. It serves what it has; digests repair after a rejoin.
            _sync.Set(_hadPeers ? SyncStatus.GaveUp : SyncStatus.Alone, nowMs);
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
            _stats.SyncRequested();
            _sync.Set(SyncStatus.Pulling, nowMs);
            outgoing.Add((peer, SessionSyncRequest.Instance));
        }
    }

    /// <summary>Hashes shards for the digest being built, then for the peers' digests, within a budget per turn.</summary>
    private void HashShards(List<(Address To, IReplicationMessage Message)> outgoing)
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

    private void Finish(DigestJob job, List<(Address To, IReplicationMessage Message)> outgoing)
    {
        if (job.Theirs is null)
        {
            _building = null;
            if (_peers.Contains(job.Peer))
            {
                outgoing.Add((job.Peer, new SessionDigest(job.Hashes, job.Cut, StateDigest.SessionScheme)));
            }

            return;
        }

        _comparing.Remove(job);
        if (job.Differing.Count == 0 || !_peers.Contains(job.Peer) || _transfers.Any(t => t.To == job.Peer))
        {
            return;
        }

        _stats.RepairStarted();
        _transfers.Add(new PeerTransfer(job.Peer, false, PackShards(SessionDataKind.Repair, job.Differing, SessionDataKind.Repair)));
    }

    /// <summary>Every shard, each copied when its turn comes (so the newest state goes).</summary>
    private IEnumerable<SessionData> AllState() =>
        PackShards(SessionDataKind.Sync, Enumerable.Range(0, _sessions.ShardCount), SessionDataKind.SyncComplete);

    /// <summary>Round robin over the transfers, one message at a time, while the budget and the peer's window last.</summary>
    private void SendTransfers(long nowMs, List<(Address To, IReplicationMessage Message)> outgoing)
    {
        _budget.Refill(nowMs);
        var waiting = 0;
        while (_transfers.Count > 0 && _budget.HasRoom && waiting < _transfers.Count)
        {
            var transfer = _transfers[_transferTurn++ % _transfers.Count];
            var window = WindowOf(transfer.To);
            if (!window.HasRoom(_options.SendWindow, nowMs, _options.AckTimeoutMs))
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
                _stats.FullSyncChunkSent(entries);
            }
            else
            {
                _stats.RepairChunkSent(entries);
            }

            outgoing.Add((transfer.To, message with { Seq = window.Sent(nowMs) }));
        }
    }

    private SendWindow WindowOf(Address peer)
    {
        if (!_windows.TryGetValue(peer, out var window))
        {
            _windows[peer] = window = new SendWindow();
        }

        return window;
    }

    private void RemoveTransfers(Address to, bool fullSync)
    {
        foreach (var transfer in _transfers.Where(t => t.To == to && t.FullSync == fullSync).ToList())
        {
            _transfers.Remove(transfer);
            transfer.Dispose();
        }
    }

    private static int EntryCount(SessionData message) => message.Slices.Sum(s => s.Entries.Count);

    private IEnumerable<SessionData> PackShards(SessionDataKind kind, IEnumerable<int> shards, SessionDataKind lastKind) =>
        Pack(kind, shards.Select(s => (s, (IEnumerable<IReadOnlyList<KeyValuePair<string, LwwEntry<SessionValue>>>>)_sessions.ShardChunks(s, _options.MaxEntriesPerMessage))), lastKind);

    /// <summary>
    /// Packs chunks lazily into messages within <see cref="SessionReplicationOptions.MaxEntriesPerMessage"/>
    /// entries and <see cref="SessionReplicationOptions.MaxBytesPerMessage"/> estimated bytes; the
    /// last is of kind <paramref name="lastKind"/>. A sync of an empty table still sends its last message.
    /// </summary>
    private IEnumerable<SessionData> Pack(
        SessionDataKind kind,
        IEnumerable<(int Shard, IEnumerable<IReadOnlyList<KeyValuePair<string, LwwEntry<SessionValue>>>> Chunks)> slices,
        SessionDataKind lastKind)
    {
        SessionData? previous = null;
        var current = new List<ShardSlice>();
        var part = new List<KeyValuePair<string, LwwEntry<SessionValue>>>();
        var entries = 0;
        var bytes = 0;
        foreach (var (shard, chunks) in slices)
        {
            foreach (var chunk in chunks)
            {
                foreach (var entry in chunk)
                {
                    var size = EstimatedBytes(entry);
                    if (entries > 0 && (entries + 1 > _options.MaxEntriesPerMessage || bytes + size > _options.MaxBytesPerMessage))
                    {
                        if (part.Count > 0)
                        {
                            current.Add(new ShardSlice(shard, part));
                            part = [];
                        }

                        if (previous is not null)
                        {
                            yield return previous;
                        }

                        previous = new SessionData(kind, current);
                        current = [];
                        entries = 0;
                        bytes = 0;
                    }

                    part.Add(entry);
                    entries++;
                    bytes += size;
                }
            }

            if (part.Count > 0)
            {
                current.Add(new ShardSlice(shard, part));
                part = [];
            }
        }

        if (current.Count > 0 || lastKind == SessionDataKind.SyncComplete)
        {
            if (previous is not null)
            {
                yield return previous;
            }

            yield return new SessionData(lastKind, current);
        }
        else if (previous is not null)
        {
            yield return previous with { Kind = lastKind };
        }
    }

    /// <summary>UTF-8 at worst 3 bytes a UTF-16 unit, plus the numbers and tags.</summary>
    private static int EstimatedBytes(in KeyValuePair<string, LwwEntry<SessionValue>> entry) =>
        48 + (3 * entry.Key.Length) + (3 * (entry.Value.Value.Backend?.Length ?? 0));
}

using Appliance.Core.State;
using Appliance.Replication.Sync;
using Appliance.Replication.Wire;

namespace Appliance.Replication.Sessions;

/// <summary>
/// The sticky-session table shared by the cluster: key shards (<see cref="SessionShard"/>, flat hash
/// tables joined like <see cref="LwwMap{T}"/>) on this node's hybrid clock. Local writes (pins,
/// refreshes, removals, evictions) queue deltas that the session actor drains; what peers send is
/// joined in with <see cref="MergeRemote"/>. Expired sessions are dropped by every replica alone
/// (expiry follows from the value), so they need no tombstone. It lives outside the actors, so it
/// outlives every ActorSystem incarnation of the node.
/// </summary>
internal sealed class ReplicatedSessionStore : ISessionStore
{
    private const long HorizonStepMs = 10_000;

    // Writes of the last this long are recorded per shard, so a digest cut up to this far back
    // (2 s of settle plus clock skew between nodes) needs no walk of the table.
    private const long RecentKeepMs = 10_000;

    private readonly SessionShard[] _shards;
    private readonly HlcSource _clock;
    private readonly TimeProvider _time;
    private readonly SessionTableOptions _options;
    private readonly int _evictBatch;
    private long _evicted;
    private long _version;
    private Action? _onWrite;
    private int _armed;

    public ReplicatedSessionStore(HlcSource clock, SessionTableOptions options, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ShardCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSessions, options.ShardCount);
        _clock = clock;
        _time = time;
        _options = options;
        // A tenth of a shard's fair share: a full table pays one scan of one shard per this many new sessions.
        _evictBatch = Math.Max(1, options.MaxSessions / options.ShardCount / 10);
        _shards = [.. Enumerable.Range(0, options.ShardCount).Select(_ => new SessionShard())];
    }

    public int ShardCount => _shards.Length;

    /// <summary>Live sessions, expired ones included until swept or looked up.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var shard in _shards)
            {
                count += shard.LiveCount;
            }

            return count;
        }
    }

    /// <summary>The bound on <see cref="Count"/> for the whole table.</summary>
    public int MaxSessions => _options.MaxSessions;

    /// <summary>Moves on every write, local or merged: the snapshot is rewritten only when it moved.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Sessions dropped because the table was full.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    public bool TryGet(string key, DateTimeOffset now, out SessionEntry entry) => Find(key, now, refresh: true, out entry);

    public bool TryPeek(string key, DateTimeOffset now, out SessionEntry entry) => Find(key, now, refresh: false, out entry);

    public void Put(string key, string backend, TimeSpan idleTimeout, DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var shard = ShardOf(key);
        lock (shard.Lock)
        {
            var value = new SessionValue(backend, nowMs, (long)idleTimeout.TotalMilliseconds);
            shard.Write(key, new LwwEntry<SessionValue>(value, _clock.Next(nowMs), IsTombstone: false));
            if (Count > _options.MaxSessions)
            {
                EvictOldest(shard, nowMs);
            }
        }

        Interlocked.Increment(ref _version);
        Signal();
    }

    public bool Remove(string key)
    {
        var shard = ShardOf(key);
        lock (shard.Lock)
        {
            if (!shard.TryGet(key, out var current) || current.IsTombstone)
            {
                return false;
            }

            shard.Write(key, Tombstone(_clock.Next(_time.GetUtcNow().ToUnixTimeMilliseconds())));
        }

        Interlocked.Increment(ref _version);
        Signal();
        return true;
    }

    /// <summary>
    /// <paramref name="signal"/> is called once after a local write queued a delta, and not again
    /// until <see cref="DrainDeltas"/> ran: the session actor arms its batch timer on it, so an idle
    /// table costs no timer at all. Null when no actor runs (between incarnations).
    /// </summary>
    public void SetWriteSignal(Action? signal)
    {
        _onWrite = signal;
        Volatile.Write(ref _armed, 0);
    }

    /// <summary>Takes the local deltas queued since the last call, per shard.</summary>
    public IReadOnlyList<(int Shard, IReadOnlyList<KeyValuePair<string, LwwEntry<SessionValue>>> Delta)> DrainDeltas()
    {
        // Disarmed first: a write racing the drain either lands in it or signals again.
        Volatile.Write(ref _armed, 0);
        var drained = new List<(int, IReadOnlyList<KeyValuePair<string, LwwEntry<SessionValue>>>)>();
        for (var i = 0; i < _shards.Length; i++)
        {
            var shard = _shards[i];
            lock (shard.Lock)
            {
                if (shard.DrainPending() is { } pending)
                {
                    drained.Add((i, pending));
                }
            }
        }

        return drained;
    }

    /// <summary>
    /// Joins a delta or a full shard state from a peer; the clock moves past its writes. With
    /// <paramref name="visibility"/>, records how long each write took to get here (deltas only:
    /// repairs and full syncs carry old writes).
    /// </summary>
    public void MergeRemote(int shardIndex, IReadOnlyList<KeyValuePair<string, LwwEntry<SessionValue>>> remote, VisibilityHistogram? visibility = null)
    {
        if (remote.Count == 0)
        {
            return;
        }

        // The clock moves past the latest write once, not once per entry (a full sync brings a million).
        var latest = Hlc.Zero;
        foreach (var (_, entry) in remote)
        {
            latest = entry.Timestamp > latest ? entry.Timestamp : latest;
        }

        _clock.Observe(latest, _time.GetUtcNow().ToUnixTimeMilliseconds());
        var shard = _shards[shardIndex];
        lock (shard.Lock)
        {
            foreach (var (key, entry) in remote)
            {
                shard.Join(key, entry);
            }
        }

        Interlocked.Increment(ref _version);

        if (visibility is not null)
        {
            var visibleMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var (_, entry) in remote)
            {
                visibility.Record(visibleMs - entry.Timestamp.WallMs);
            }
        }
    }

    /// <summary>Keys in one shard, tombstones included.</summary>
    public int ShardSize(int shardIndex) => _shards[shardIndex].Count;

    /// <summary>One shard as an <see cref="LwwMap{T}"/>: a sorted copy, for tests and diagnostics.</summary>
    public LwwMap<SessionValue> ShardState(int shardIndex)
    {
        var shard = _shards[shardIndex];
        lock (shard.Lock)
        {
            return shard.ToMap();
        }
    }

    /// <summary>
    /// A snapshot of one shard in chunks of at most <paramref name="size"/> entries, for a repair or
    /// a full-state transfer (the lock is held for the copy only).
    /// </summary>
    public List<KeyValuePair<string, LwwEntry<SessionValue>>[]> ShardChunks(int shardIndex, int size)
    {
        var shard = _shards[shardIndex];
        lock (shard.Lock)
        {
            return shard.Chunks(size);
        }
    }

    /// <summary>
    /// The whole table for a snapshot, one shard copied at a time (under its lock) and handed out in
    /// chunks of at most <paramref name="size"/> entries, so the writer never holds more than a shard.
    /// </summary>
    public IEnumerable<(int Shard, IReadOnlyList<KeyValuePair<string, LwwEntry<SessionValue>>> Entries)> SnapshotChunks(int size)
    {
        for (var i = 0; i < _shards.Length; i++)
        {
            foreach (var chunk in ShardChunks(i, size))
            {
                yield return (i, chunk);
            }
        }
    }

    /// <summary>
    /// Joins a loaded snapshot like a peer's state (so anything newer already here wins), each key
    /// into the shard it belongs to in this table, leaving out sessions expired at <paramref name="now"/>;
    /// returns the live sessions it brought.
    /// </summary>
    public int MergeSnapshot(IEnumerable<ShardSlice> slices, DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var byShard = new List<KeyValuePair<string, LwwEntry<SessionValue>>>?[_shards.Length];
        var live = 0;
        foreach (var slice in slices)
        {
            foreach (var item in slice.Entries)
            {
                if (!item.Value.IsTombstone && item.Value.Value.IsExpired(nowMs))
                {
                    continue;
                }

                live += item.Value.IsTombstone ? 0 : 1;
                (byShard[KeyShard.Of(item.Key, _shards.Length)] ??= []).Add(item);
            }
        }

        for (var i = 0; i < byShard.Length; i++)
        {
            if (byShard[i] is { } entries)
            {
                MergeRemote(i, entries);
            }
        }

        return live;
    }

    /// <summary>
    /// Digest of one shard swept to the current horizons (lookups honour the exact expiry, but the
    /// table drops in steps, so replicas that swept at different moments within a step agree);
    /// only writes stamped before <paramref name="writtenBeforeMs"/> count.
    /// </summary>
    public ulong ShardDigest(int shardIndex, long writtenBeforeMs = long.MaxValue) => ShardDigest(shardIndex, writtenBeforeMs, out _);

    /// <inheritdoc cref="ShardDigest(int, long)"/>
    /// <param name="work">Entries looked at, for the caller's budget.</param>
    public ulong ShardDigest(int shardIndex, long writtenBeforeMs, out int work)
    {
        var (horizon, tombstoneHorizon) = Horizons(_time.GetUtcNow().ToUnixTimeMilliseconds());
        var shard = _shards[shardIndex];
        lock (shard.Lock)
        {
            var walks = shard.SweptHorizonMs < horizon || shard.SweptTombstoneHorizonMs < tombstoneHorizon ? shard.Count : 0;
            shard.Sweep(horizon, tombstoneHorizon);
            var hash = shard.Digest(writtenBeforeMs, out work);
            work += walks;
            return hash;
        }
    }

    /// <summary>
    /// Where this node's digests cut: writes of the last <paramref name="settle"/> are left out,
    /// so deltas still in flight do not turn into whole-shard repairs under a steady write load.
    /// </summary>
    public long DigestCut(TimeSpan settle) => _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)settle.TotalMilliseconds;

    /// <summary>
    /// Forgets sessions expired before the current horizon step and tombstones older than the grace
    /// before it, in at most <paramref name="maxShards"/> shards not yet swept to this step (a shard
    /// is walked once per step, about every 10 s); returns how many sessions were forgotten.
    /// </summary>
    public int Sweep(DateTimeOffset now, int maxShards = int.MaxValue)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var (horizon, tombstoneHorizon) = Horizons(nowMs);
        var expired = 0;
        var walked = 0;
        foreach (var shard in _shards)
        {
            lock (shard.Lock)
            {
                shard.ForgetRecentBefore(nowMs - RecentKeepMs);
                if (walked < maxShards && (shard.SweptHorizonMs < horizon || shard.SweptTombstoneHorizonMs < tombstoneHorizon))
                {
                    walked++;
                    expired += shard.Sweep(horizon, tombstoneHorizon);
                }
            }
        }

        return expired;
    }

    /// <summary>
    /// Sweeping and digests move in coarse steps of <see cref="HorizonStepMs"/>, so replicas
    /// agree on what is swept except right at a step (lookups still honour exact expiry).
    /// </summary>
    private (long Sessions, long Tombstones) Horizons(long nowMs)
    {
        var horizon = nowMs - (nowMs % HorizonStepMs);
        return (horizon, horizon - (long)_options.TombstoneGrace.TotalMilliseconds);
    }

    private bool Find(string key, DateTimeOffset now, bool refresh, out SessionEntry entry)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var shard = ShardOf(key);
        var wrote = false;
        lock (shard.Lock)
        {
            if (!shard.TryGet(key, out var found) || found.IsTombstone || found.Value.IsExpired(nowMs))
            {
                entry = default;
                return false;
            }

            // Refreshing on every hit would be a replicated write per request; a coarse step keeps the TTL honest.
            var value = found.Value;
            if (refresh && nowMs - value.LastSeenMs > value.IdleTimeoutMs / 16)
            {
                value = value with { LastSeenMs = nowMs };
                shard.Write(key, new LwwEntry<SessionValue>(value, _clock.Next(nowMs), IsTombstone: false));
                wrote = true;
            }

            entry = value.ToEntry();
        }

        if (wrote)
        {
            Interlocked.Increment(ref _version);
            Signal();
        }

        return true;
    }

    private void Signal()
    {
        if (_onWrite is { } signal && Interlocked.Exchange(ref _armed, 1) == 0)
        {
            signal();
        }
    }

    /// <summary>
    /// The whole table is over its bound: drop the least recently used sessions of the shard that
    /// just grew (keys hash evenly, so its oldest are about the table's oldest), a batch at once so
    /// a full table does not pay a scan per new session. Tombstones make every replica drop them too.
    /// </summary>
    private void EvictOldest(SessionShard shard, long nowMs)
    {
        var excess = Count - _options.MaxSessions + _evictBatch;
        foreach (var key in shard.LeastRecentlyUsed(excess))
        {
            shard.Write(key, Tombstone(_clock.Next(nowMs)));
            Interlocked.Increment(ref _evicted);
        }
    }

    private static LwwEntry<SessionValue> Tombstone(Hlc timestamp) => new(default, timestamp, IsTombstone: true);

    private SessionShard ShardOf(string key) => _shards[KeyShard.Of(key, _shards.Length)];
}

using Appliance.Cluster.Replication.Crdt;
using Appliance.Core.State;

namespace Appliance.Cluster.Replication;

/// <summary>
/// The sticky-session table shared by the cluster: key shards of <see cref="LwwMap{T}"/> on this
/// node's hybrid clock. Local writes (pins, refreshes, removals, evictions) queue deltas that the
/// replicator drains; what peers send is joined in with <see cref="MergeRemote"/>. Expired sessions
/// are dropped by every replica alone (expiry follows from the value), so they need no tombstone.
/// </summary>
internal sealed class ReplicatedSessionStore : ISessionStore
{
    private const long HorizonStepMs = 10_000;

    private readonly SessionShard[] _shards;
    private readonly HlcSource _clock;
    private readonly TimeProvider _time;
    private readonly ReplicationOptions _options;
    private readonly int _evictBatch;
    private long _evicted;

    public ReplicatedSessionStore(HlcSource clock, ReplicationOptions options, TimeProvider time)
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
                count += shard.State.LiveCount;
            }

            return count;
        }
    }

    /// <summary>The bound on <see cref="Count"/> for the whole table.</summary>
    public int MaxSessions => _options.MaxSessions;

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
            shard.Write(shard.State.Put(key, value, _clock.Next(nowMs)));
            if (Count > _options.MaxSessions)
            {
                EvictOldest(shard, nowMs);
            }
        }
    }

    public bool Remove(string key)
    {
        var shard = ShardOf(key);
        lock (shard.Lock)
        {
            if (!shard.State.TryGetValue(key, out _))
            {
                return false;
            }

            shard.Write(shard.State.Remove(key, _clock.Next(_time.GetUtcNow().ToUnixTimeMilliseconds())));
            return true;
        }
    }

    /// <summary>Takes the local deltas queued since the last call, per shard.</summary>
    public IReadOnlyList<(int Shard, LwwMap<SessionValue> Delta)> DrainDeltas()
    {
        var drained = new List<(int, LwwMap<SessionValue>)>();
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
    public void MergeRemote(int shardIndex, LwwMap<SessionValue> remote, VisibilityHistogram? visibility = null)
    {
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var entry in remote.Entries.Values)
        {
            _clock.Observe(entry.Timestamp, nowMs);
        }

        var shard = _shards[shardIndex];
        lock (shard.Lock)
        {
            shard.State = shard.State.Merge(remote);
        }

        if (visibility is not null)
        {
            var visibleMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var entry in remote.Entries.Values)
            {
                visibility.Record(visibleMs - entry.Timestamp.WallMs);
            }
        }
    }

    /// <summary>The whole state of one shard, for anti-entropy and full-state transfer.</summary>
    public LwwMap<SessionValue> ShardState(int shardIndex) => _shards[shardIndex].State;

    /// <summary>
    /// Digest of one shard as of the current sweep horizon, so two replicas that swept at
    /// different moments, but within the same horizon step, still agree; only writes stamped
    /// before <paramref name="writtenBeforeMs"/> count.
    /// </summary>
    public ulong ShardDigest(int shardIndex, long writtenBeforeMs = long.MaxValue)
    {
        var (horizon, tombstoneHorizon) = Horizons(_time.GetUtcNow().ToUnixTimeMilliseconds());
        return StateDigest.Of(_shards[shardIndex].State, horizon, tombstoneHorizon, writtenBeforeMs);
    }

    /// <summary>
    /// Where this node's digests cut: writes of the last <paramref name="settle"/> are left out,
    /// so deltas still in flight do not turn into whole-shard repairs under a steady write load.
    /// </summary>
    public long DigestCut(TimeSpan settle) => _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)settle.TotalMilliseconds;

    /// <summary>
    /// Forgets sessions expired before the current horizon step and tombstones older than the grace
    /// before it; returns how many sessions were forgotten.
    /// </summary>
    public int Sweep(DateTimeOffset now)
    {
        var (horizon, tombstoneHorizon) = Horizons(now.ToUnixTimeMilliseconds());
        var expired = 0;
        foreach (var shard in _shards)
        {
            lock (shard.Lock)
            {
                var state = shard.State;
                foreach (var (key, entry) in shard.State.Entries)
                {
                    if (!entry.IsTombstone && entry.Value.ExpiresAtMs < horizon)
                    {
                        state = state.Forget(key);
                        expired++;
                    }
                }

                shard.State = state.PruneTombstones(new Hlc(tombstoneHorizon, 0, 0));
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
        if (!shard.State.TryGetValue(key, out var value) || value.IsExpired(nowMs))
        {
            entry = default;
            return false;
        }

        // Refreshing on every hit would be a replicated write per request; a coarse step keeps the TTL honest.
        if (refresh && nowMs - value.LastSeenMs > value.IdleTimeoutMs / 16)
        {
            lock (shard.Lock)
            {
                if (shard.State.TryGetValue(key, out var current) && current == value)
                {
                    value = value with { LastSeenMs = nowMs };
                    shard.Write(shard.State.Put(key, value, _clock.Next(nowMs)));
                }
            }
        }

        entry = value.ToEntry();
        return true;
    }

    /// <summary>
    /// The whole table is over its bound: drop the least recently used sessions of the shard that
    /// just grew (keys hash evenly, so its oldest are about the table's oldest), a batch at once so
    /// a full table does not pay a scan per new session. Tombstones make every replica drop them too.
    /// </summary>
    private void EvictOldest(SessionShard shard, long nowMs)
    {
        var excess = Count - _options.MaxSessions + _evictBatch;
        var oldest = shard.State.Entries
            .Where(e => !e.Value.IsTombstone)
            .OrderBy(e => e.Value.Value.LastSeenMs)
            .Take(excess)
            .Select(e => e.Key)
            .ToList();
        foreach (var key in oldest)
        {
            shard.Write(shard.State.Remove(key, _clock.Next(nowMs)));
            Interlocked.Increment(ref _evicted);
        }
    }

    private SessionShard ShardOf(string key) => _shards[KeyShard.Of(key, _shards.Length)];
}

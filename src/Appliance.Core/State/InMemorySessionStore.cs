using System.Collections.Concurrent;

namespace Appliance.Core.State;

/// <summary>
/// Single-node sticky table. Bounded: when full, the least recently used tenth is evicted (and
/// counted), so a flood of new clients cannot grow memory without limit.
/// </summary>
public sealed class InMemorySessionStore(int maxEntries = 1_000_000) : ISessionStore
{
    private readonly ConcurrentDictionary<string, SessionEntry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _evictLock = new();
    private long _evicted;

    public int Count => _entries.Count;

    /// <summary>The session keys currently held (expired ones included until swept or looked up).</summary>
    public IEnumerable<string> Keys => _entries.Keys;

    /// <summary>Sessions dropped because the table was full.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    public bool TryGet(string key, DateTimeOffset now, out SessionEntry entry)
    {
        if (!_entries.TryGetValue(key, out entry))
        {
            return false;
        }

        if (entry.IsExpired(now))
        {
            _entries.TryRemove(new KeyValuePair<string, SessionEntry>(key, entry));
            return false;
        }

        // Refreshing on every hit would be a write per request; a coarse step keeps the TTL honest.
        if (now - entry.LastSeen > entry.IdleTimeout / 16)
        {
            // Only refresh the entry we read: a concurrent re-pin or removal wins.
            var refreshed = entry with { LastSeen = now };
            if (_entries.TryUpdate(key, refreshed, entry))
            {
                entry = refreshed;
            }
        }

        return true;
    }

    public bool TryPeek(string key, DateTimeOffset now, out SessionEntry entry) =>
        _entries.TryGetValue(key, out entry) && !entry.IsExpired(now);

    public void Put(string key, string backend, TimeSpan idleTimeout, DateTimeOffset now)
    {
        if (_entries.Count >= maxEntries && !_entries.ContainsKey(key))
        {
            EvictOldest(now);
        }

        _entries[key] = new SessionEntry(backend, now, idleTimeout);
    }

    public bool Remove(string key) => _entries.TryRemove(key, out _);

    /// <summary>Drops expired sessions; run periodically.</summary>
    public int Sweep(DateTimeOffset now)
    {
        var removed = 0;
        foreach (var pair in _entries)
        {
            if (pair.Value.IsExpired(now) && _entries.TryRemove(pair))
            {
                removed++;
            }
        }

        return removed;
    }

    private void EvictOldest(DateTimeOffset now)
    {
        lock (_evictLock)
        {
            if (_entries.Count < maxEntries)
            {
                return;
            }

            Sweep(now);
            var excess = _entries.Count - maxEntries + Math.Max(1, maxEntries / 10);
            if (excess <= 0)
            {
                return;
            }

            foreach (var pair in _entries.OrderBy(p => p.Value.LastSeen).Take(excess))
            {
                if (_entries.TryRemove(pair))
                {
                    Interlocked.Increment(ref _evicted);
                }
            }
        }
    }
}

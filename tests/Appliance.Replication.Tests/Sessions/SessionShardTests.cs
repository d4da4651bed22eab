using Appliance.Replication.Sessions;

namespace Appliance.Replication.Tests.Sessions;

/// <summary>
/// The flat <see cref="SessionShard"/> against <see cref="LwwMap{T}"/>, the persistent map it
/// replaced and the reference for its semantics: the same operations must give the same entries,
/// live count and digests, whatever the order, duplicates, sweeps and recent-write windows.
/// </summary>
public sealed class SessionShardTests
{
    [Fact]
    public void RandomOperations_SameEntriesLiveCountAndDigestsAsTheReferenceMap() => CrdtLaws.ForAllSeeds(seed =>
    {
        var random = new Random(seed);
        var shard = new SessionShard();
        var reference = LwwMap<SessionValue>.Empty;
        var (horizon, tombstoneHorizon) = (long.MinValue, long.MinValue);
        for (var i = random.Next(0, 60); i > 0; i--)
        {
            switch (random.Next(10))
            {
                case 0:
                    // Sweep: the reference forgets expired sessions and prunes old tombstones.
                    (horizon, tombstoneHorizon) = (Math.Max(horizon, random.Next(0, 40)), Math.Max(tombstoneHorizon, random.Next(0, 30)));
                    shard.Sweep(horizon, tombstoneHorizon);
                    break;
                case 1:
                    var key = Key(random);
                    shard.Forget(key);
                    reference = reference.Forget(key);
                    break;
                case 2:
                    shard.ForgetRecentBefore(random.Next(0, 40));
                    break;
                default:
                    var (k, entry) = Write(random);
                    shard.Join(k, entry);
                    reference = reference.Merge(Map(k, entry));
                    break;
            }

            reference = Swept(reference, horizon, tombstoneHorizon);
        }

        var cut = random.Next(0, 45);
        return shard.ToMap().Equals(reference)
            && shard.LiveCount == reference.LiveCount
            && shard.Count == reference.Entries.Count
            && shard.ProfileCount == Profiles(reference)
            && shard.Digest(long.MaxValue, out _) == Digest(reference, long.MaxValue)
            && shard.Digest(cut, out _) == Digest(reference, cut);
    });

    [Fact]
    public void WritesJoinedInAnyOrderWithDuplicates_EqualShardsAndDigests() => CrdtLaws.ForAllSeeds(seed =>
    {
        var random = new Random(seed);
        var writes = Enumerable.Range(0, random.Next(0, 40)).Select(_ => Write(random)).ToList();
        var (a, b) = (new SessionShard(), new SessionShard());
        foreach (var (key, entry) in writes)
        {
            a.Join(key, entry);
        }

        foreach (var (key, entry) in writes.Concat(writes.Where(_ => random.Next(3) == 0)).OrderBy(_ => random.Next()))
        {
            b.Join(key, entry);
        }

        var reference = writes.Aggregate(LwwMap<SessionValue>.Empty, (map, w) => map.Merge(Map(w.Key, w.Entry)));
        var cut = random.Next(0, 45);
        return a.ToMap().Equals(b.ToMap())
            && a.ToMap().Equals(reference)
            && a.Digest(cut, out _) == b.Digest(cut, out _)
            && a.Digest(long.MaxValue, out _) == b.Digest(long.MaxValue, out _);
    });

    [Fact]
    public void Join_ChangedOnlyWhenTheWriteWins()
    {
        var shard = new SessionShard();
        var older = Live("b1", new Hlc(10, 0, 1));
        var newer = Live("b2", new Hlc(11, 0, 2));

        Assert.True(shard.Join("k", newer));
        Assert.False(shard.Join("k", older));
        Assert.False(shard.Join("k", newer));
        Assert.True(shard.TryGet("k", out var entry));
        Assert.Equal("b2", entry.Value.Backend);
    }

    [Fact]
    public void Join_SessionAlreadyExpiredBeforeTheSweptHorizon_NotKept()
    {
        var shard = new SessionShard();
        shard.Sweep(100, 50);

        Assert.False(shard.Join("expired", new LwwEntry<SessionValue>(new SessionValue("b", 10, 50), new Hlc(10, 0, 1), false)));
        Assert.False(shard.Join("old-tombstone", new LwwEntry<SessionValue>(default, new Hlc(49, 0, 1), true)));
        Assert.True(shard.Join("live", new LwwEntry<SessionValue>(new SessionValue("b", 10, 200), new Hlc(10, 0, 1), false)));
        Assert.Equal(1, shard.Count);
    }

    [Fact]
    public void Chunks_EveryEntryOnceInChunksOfAtMostTheSize()
    {
        var shard = new SessionShard();
        for (var i = 0; i < 1_001; i++)
        {
            shard.Join($"k{i}", Live("b", new Hlc(i, 0, 1)));
        }

        var chunks = shard.Chunks(100);

        Assert.Equal(11, chunks.Count);
        Assert.All(chunks, c => Assert.InRange(c.Length, 1, 100));
        Assert.Equal(1_001, chunks.SelectMany(c => c).Select(e => e.Key).Distinct().Count());
        Assert.Empty(new SessionShard().Chunks(100));
    }

    [Fact]
    public void LeastRecentlyUsed_OldestLiveSessionsFirst_TombstonesSkipped()
    {
        var shard = new SessionShard();
        shard.Join("new", new LwwEntry<SessionValue>(new SessionValue("b", 30, 1_000), new Hlc(30, 0, 1), false));
        shard.Join("old", new LwwEntry<SessionValue>(new SessionValue("b", 10, 1_000), new Hlc(10, 0, 1), false));
        shard.Join("removed", new LwwEntry<SessionValue>(default, new Hlc(5, 0, 1), true));
        shard.Join("middle", new LwwEntry<SessionValue>(new SessionValue("b", 20, 1_000), new Hlc(20, 0, 1), false));

        Assert.Equal(["old", "middle"], shard.LeastRecentlyUsed(2));
    }

    [Fact]
    public void Profiles_SharedBySlots_ForgottenWithTheirLastSlot()
    {
        var shard = new SessionShard();
        for (var i = 0; i < 300; i++)
        {
            shard.Join($"k{i}", new LwwEntry<SessionValue>(new SessionValue($"b{i % 3}", i, 1_000), new Hlc(i, 0, (ulong)(1 + (i % 2))), false));
        }

        Assert.Equal(6, shard.ProfileCount); // 3 backends x 2 writer nodes

        // Overwriting with a new triple (a tombstone) moves the use; the old triples go with their last slot.
        for (var i = 0; i < 300; i++)
        {
            shard.Join($"k{i}", new LwwEntry<SessionValue>(default, new Hlc(1_000, 0, 7), true));
        }

        Assert.Equal(1, shard.ProfileCount);
        Assert.True(shard.TryGet("k5", out var entry));
        Assert.True(entry.IsTombstone);
        Assert.Equal(new Hlc(1_000, 0, 7), entry.Timestamp);

        shard.Sweep(long.MinValue, 2_000);
        Assert.Equal(0, shard.Count);
        Assert.Equal(0, shard.ProfileCount);

        // Freed indexes are reused and read back what was stored last.
        shard.Join("again", new LwwEntry<SessionValue>(new SessionValue("b9", 5, 60_000), new Hlc(3_000, 2, 4), false));
        Assert.True(shard.TryGet("again", out entry));
        Assert.Equal(new LwwEntry<SessionValue>(new SessionValue("b9", 5, 60_000), new Hlc(3_000, 2, 4), false), entry);
        Assert.Equal(1, shard.ProfileCount);
    }

    [Fact]
    public void BigTable_GrowsByAQuarterOrSo_NeverHalfEmpty()
    {
        var shard = new SessionShard();
        var worst = 1.0;
        for (var i = 0; i < 40_000; i++)
        {
            shard.Join($"k{i}", Live("b", new Hlc(i, 0, 1)));
            if (shard.Count > 2_000)
            {
                worst = Math.Min(worst, (double)shard.Count / shard.Capacity);
            }
        }

        // Doubling would leave it about half full right after each resize (0.48 here).
        Assert.InRange(worst, 0.6, 1.0);
        Assert.Equal(40_000, shard.LiveCount);
        Assert.True(shard.TryGet("k39999", out var last));
        Assert.Equal(new Hlc(39_999, 0, 1), last.Timestamp);
    }

    private static string Key(Random random) => $"k{random.Next(0, 6)}";

    private static (string Key, LwwEntry<SessionValue> Entry) Write(Random random)
    {
        var timestamp = new Hlc(random.Next(0, 40), random.Next(0, 2), (ulong)random.Next(1, 3));
        return (Key(random), random.Next(4) == 0
            ? new LwwEntry<SessionValue>(default, timestamp, IsTombstone: true)
            : new LwwEntry<SessionValue>(new SessionValue($"b{random.Next(0, 3)}", random.Next(0, 40), random.Next(0, 20)), timestamp, IsTombstone: false));
    }

    private static LwwEntry<SessionValue> Live(string backend, Hlc timestamp) => new(new SessionValue(backend, timestamp.WallMs, 1_000), timestamp, false);

    private static LwwMap<SessionValue> Map(string key, LwwEntry<SessionValue> entry) => LwwMap<SessionValue>.FromPairs([KeyValuePair.Create(key, entry)]);

    private static LwwMap<SessionValue> Swept(LwwMap<SessionValue> map, long horizon, long tombstoneHorizon)
    {
        foreach (var (key, entry) in map.Entries)
        {
            if (!entry.IsTombstone && entry.Value.ExpiresAtMs < horizon)
            {
                map = map.Forget(key);
            }
        }

        return tombstoneHorizon == long.MinValue ? map : map.PruneTombstones(new Hlc(tombstoneHorizon, 0, 0));
    }

    /// <summary>Distinct (backend, idle timeout, node) triples: tombstones share one per node.</summary>
    private static int Profiles(LwwMap<SessionValue> map) =>
        map.Entries.Values.Select(e => e.IsTombstone ? (null, 0, e.Timestamp.Node) : (e.Value.Backend, e.Value.IdleTimeoutMs, e.Timestamp.Node)).Distinct().Count();

    /// <summary>The digest from scratch: the sum of the entry hashes stamped before the cut.</summary>
    private static ulong Digest(LwwMap<SessionValue> map, long writtenBeforeMs) =>
        map.Entries.Where(e => e.Value.Timestamp.WallMs < writtenBeforeMs)
            .Aggregate(0UL, (sum, e) => unchecked(sum + StateDigest.Entry(e.Key, e.Value)));
}

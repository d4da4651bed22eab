using Appliance.Replication.Sessions;

namespace Appliance.Replication.Tests.Sessions;

public sealed class LwwMapTests
{
    [Fact]
    public void Merge_IsJoin() => CrdtLaws.MergeIsJoin(Maps);

    [Fact]
    public void Deltas_RebuildTheState() => CrdtLaws.DeltasRebuildState(Maps);

    [Fact]
    public void Remove_AfterPutOnAnotherReplica_RemovalWinsEverywhere()
    {
        var (a, put) = LwwMap<string>.Empty.Put("k", "b1", new Hlc(10, 0, 1));
        var (b, removal) = a.Remove("k", new Hlc(11, 0, 2));

        var elsewhere = LwwMap<string>.Empty.Merge(removal).Merge(put);

        Assert.False(b.TryGetValue("k", out _));
        Assert.False(elsewhere.TryGetValue("k", out _));
        Assert.Equal(b, elsewhere);
    }

    [Fact]
    public void Put_AfterRemove_ValueComesBack()
    {
        var (map, _) = LwwMap<string>.Empty.Remove("k", new Hlc(10, 0, 1));
        (map, _) = map.Put("k", "b2", new Hlc(12, 0, 2));

        Assert.True(map.TryGetValue("k", out var value));
        Assert.Equal("b2", value);
        Assert.Equal(1, map.LiveCount);
    }

    [Fact]
    public void PruneTombstones_BeforeHorizon_DropsOnlyOldTombstones()
    {
        var (map, _) = LwwMap<string>.Empty.Remove("old", new Hlc(10, 0, 1));
        (map, _) = map.Remove("new", new Hlc(50, 0, 1));
        (map, _) = map.Put("live", "b", new Hlc(5, 0, 1));

        var pruned = map.PruneTombstones(new Hlc(20, 0, 0));

        Assert.Equal(["live", "new"], pruned.Entries.Keys);
    }

    [Fact]
    public void LiveCount_AfterMergesAndRemovals_MatchesTheEntries()
    {
        var random = new Random(11);
        for (var i = 0; i < 200; i++)
        {
            var merged = Maps(random).State.Merge(Maps(random).State).Forget("k1");

            Assert.Equal(merged.Entries.Count(e => !e.Value.IsTombstone), merged.LiveCount);
        }
    }

    private static History<LwwMap<string>> Maps(Random random)
    {
        var history = new History<LwwMap<string>>(LwwMap<string>.Empty);
        for (var i = random.Next(0, 16); i > 0; i--)
        {
            var key = $"k{random.Next(0, 5)}";
            var timestamp = new Hlc(random.Next(0, 6), random.Next(0, 2), (ulong)random.Next(1, 3));
            if (random.Next(4) == 0)
            {
                history.Do(s => s.Remove(key, timestamp));
            }
            else
            {
                history.Do(s => s.Put(key, $"b{random.Next(0, 3)}", timestamp));
            }
        }

        return history;
    }
}

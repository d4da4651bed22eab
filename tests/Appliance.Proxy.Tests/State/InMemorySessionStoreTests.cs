using Appliance.Core.State;

namespace Appliance.Tests.State;

public sealed class InMemorySessionStoreTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    [Fact]
    public void TryGet_AfterPut_FindsBackend()
    {
        var store = new InMemorySessionStore();
        store.Put("http/web/abc", "b1", Idle, T0);

        Assert.True(store.TryGet("http/web/abc", T0.AddMinutes(1), out var entry));
        Assert.Equal("b1", entry.Backend);
        Assert.False(store.TryGet("http/web/other", T0, out _));
    }

    [Fact]
    public void TryGet_IdleTimeoutReached_NotFoundAndRemoved()
    {
        var store = new InMemorySessionStore();
        store.Put("k", "b1", Idle, T0);

        Assert.True(store.TryGet("k", T0 + Idle - TimeSpan.FromSeconds(1), out _));
        Assert.False(store.TryGet("k", T0 + Idle + Idle, out _));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void TryGet_UsedBeforeExpiry_IdleClockRestarts()
    {
        var store = new InMemorySessionStore();
        store.Put("k", "b1", Idle, T0);

        Assert.True(store.TryGet("k", T0.AddMinutes(9), out _));

        Assert.True(store.TryGet("k", T0.AddMinutes(18), out var entry)); // 18 min after Put, 9 after use
        Assert.Equal(T0.AddMinutes(18), entry.LastSeen);
    }

    [Fact]
    public void Put_ExistingKey_RepinsWithoutGrowing()
    {
        var store = new InMemorySessionStore();
        store.Put("k", "b1", Idle, T0);

        store.Put("k", "b2", Idle, T0.AddSeconds(1));

        Assert.True(store.TryGet("k", T0.AddSeconds(2), out var entry));
        Assert.Equal("b2", entry.Backend);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Put_Full_EvictsLeastRecentlyUsedTenthAndCounts()
    {
        var store = new InMemorySessionStore(maxEntries: 20);
        var hour = TimeSpan.FromHours(1);
        for (var i = 0; i < 20; i++)
        {
            store.Put("k" + i, "b1", hour, T0.AddSeconds(i));
        }

        Assert.True(store.TryGet("k0", T0.AddMinutes(10), out _)); // k0 is now the most recently used

        store.Put("new", "b1", hour, T0.AddMinutes(11));

        Assert.Equal(2, store.Evicted);
        Assert.Equal(19, store.Count);
        Assert.True(store.TryGet("k0", T0.AddMinutes(12), out _));
        Assert.False(store.TryGet("k1", T0.AddMinutes(12), out _));
        Assert.False(store.TryGet("k2", T0.AddMinutes(12), out _));
        Assert.True(store.TryGet("k3", T0.AddMinutes(12), out _));
        Assert.True(store.TryGet("new", T0.AddMinutes(12), out _));
    }

    [Fact]
    public void Put_ManyMoreThanMax_NeverExceedsMax()
    {
        var store = new InMemorySessionStore(maxEntries: 50);

        for (var i = 0; i < 1000; i++)
        {
            store.Put("k" + i, "b1", Idle, T0.AddMilliseconds(i));
            Assert.True(store.Count <= 50, $"{store.Count} entries after {i + 1} puts");
        }

        Assert.True(store.Evicted >= 950);
    }

    [Fact]
    public void Put_FullOfExpiredSessions_SweepsInsteadOfEvicting()
    {
        var store = new InMemorySessionStore(maxEntries: 10);
        for (var i = 0; i < 10; i++)
        {
            store.Put("short" + i, "b1", TimeSpan.FromSeconds(1), T0);
        }

        store.Put("fresh", "b1", Idle, T0.AddSeconds(5));

        Assert.Equal(0, store.Evicted);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Put_FullButKeyExists_NoEviction()
    {
        var store = new InMemorySessionStore(maxEntries: 3);
        store.Put("a", "b1", Idle, T0);
        store.Put("b", "b1", Idle, T0);
        store.Put("c", "b1", Idle, T0);

        store.Put("b", "b2", Idle, T0.AddSeconds(1));

        Assert.Equal(0, store.Evicted);
        Assert.Equal(3, store.Count);
    }

    [Fact]
    public void Sweep_RemovesOnlyExpired()
    {
        var store = new InMemorySessionStore();
        store.Put("short", "b1", TimeSpan.FromSeconds(30), T0);
        store.Put("long", "b1", Idle, T0);

        var removed = store.Sweep(T0.AddMinutes(1));

        Assert.Equal(1, removed);
        Assert.Equal(1, store.Count);
        Assert.True(store.TryGet("long", T0.AddMinutes(1), out _));
    }

    [Fact]
    public void Remove_KnownAndUnknownKey_ReportsWhetherRemoved()
    {
        var store = new InMemorySessionStore();
        store.Put("k", "b1", Idle, T0);

        Assert.True(store.Remove("k"));
        Assert.False(store.Remove("k"));
        Assert.False(store.TryGet("k", T0, out _));
    }
}

using System.Diagnostics;
using Appliance.Replication.Sessions;
using Appliance.Replication.Snapshot;
using Appliance.Replication.Tests.Sessions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Appliance.Replication.Tests.Snapshot;

/// <summary>The snapshot file: round trip, expiry, merge semantics, and bad files refused without throwing.</summary>
public sealed class SessionSnapshotTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RoundTrip_KeepsEveryEntry_AndTombstones()
    {
        var (store, time) = Store(1);
        for (var i = 0; i < 3_000; i++)
        {
            store.Put($"k{i}", $"b{i % 7}", TimeSpan.FromHours(1), time.GetUtcNow());
        }

        store.Remove("k5");
        var bytes = Encode(store, time);

        var (copy, _) = Store(2, shards: 16); // another shard count: keys go where this table puts them
        var slices = SessionSnapshotCodec.Read(new MemoryStream(bytes), out var problem);
        Assert.Null(problem);
        Assert.Equal(2_999, copy.MergeSnapshot(slices!, time.GetUtcNow()));
        Assert.True(copy.TryPeek("k42", time.GetUtcNow(), out var entry));
        Assert.Equal("b0", entry.Backend);
        Assert.False(copy.TryPeek("k5", time.GetUtcNow(), out _)); // the tombstone came along
        Assert.Equal(3_000, Enumerable.Range(0, 16).Sum(copy.ShardSize));
    }

    [Fact]
    public void ExpiredSessions_AreNotWritten_NorLoaded()
    {
        var (store, time) = Store(1);
        store.Put("short", "b", TimeSpan.FromSeconds(5), time.GetUtcNow());
        store.Put("long", "b", TimeSpan.FromMinutes(5), time.GetUtcNow());
        time.Now = Start.AddSeconds(10);
        var bytes = Encode(store, time);
        var slices = SessionSnapshotCodec.Read(new MemoryStream(bytes), out _)!;
        Assert.Equal(["long"], slices.SelectMany(s => s.Entries).Select(e => e.Key));

        time.Now = Start.AddMinutes(10); // expired between the write and the load
        var (copy, _) = Store(2);
        Assert.Equal(0, copy.MergeSnapshot(slices, time.GetUtcNow()));
    }

    [Fact]
    public void Loading_Merges_SoNewerStateWins()
    {
        var (old, time) = Store(1);
        old.Put("k", "old", TimeSpan.FromHours(1), time.GetUtcNow());
        var bytes = Encode(old, time);

        time.Now = Start.AddSeconds(30);
        var (store, _) = Store(2, time: time);
        store.Put("k", "new", TimeSpan.FromHours(1), time.GetUtcNow()); // what replication brought first
        store.MergeSnapshot(SessionSnapshotCodec.Read(new MemoryStream(bytes), out _)!, time.GetUtcNow());
        Assert.True(store.TryPeek("k", time.GetUtcNow(), out var entry));
        Assert.Equal("new", entry.Backend);
    }

    [Fact]
    public void EveryTruncation_IsRefused()
    {
        var bytes = SmallSnapshot();
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Null(SessionSnapshotCodec.Read(new MemoryStream(bytes, 0, length), out var problem));
            Assert.False(string.IsNullOrEmpty(problem));
        }

        Assert.Null(SessionSnapshotCodec.Read(new MemoryStream([.. bytes, 0]), out var trailing));
        Assert.Contains("after the trailer", trailing);
    }

    [Fact]
    public void TenThousandMutations_AreRefused_WithoutThrowing()
    {
        var bytes = SmallSnapshot();
        var random = new Random(15);
        for (var i = 0; i < 10_000; i++)
        {
            var mutated = (byte[])bytes.Clone();
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++)
            {
                mutated[random.Next(mutated.Length)] ^= (byte)random.Next(1, 256);
            }

            Assert.Null(SessionSnapshotCodec.Read(new MemoryStream(mutated), out var problem));
            Assert.False(string.IsNullOrEmpty(problem));
        }
    }

    [Fact]
    public void ForeignAndAbsurdFiles_AreRefused()
    {
        Assert.Contains("magic", Problem("{\"not\":\"a snapshot\"}"u8.ToArray()));
        var bytes = SmallSnapshot();
        var future = (byte[])bytes.Clone();
        future[8] = 2;
        Assert.Contains("version 2", Problem(future));
        var absurd = bytes[..12].Concat(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F }).ToArray();
        Assert.Contains("claims", Problem(absurd));

        // Garbage with a valid header and valid lengths: refused by the entry checks or the checksum.
        var random = new Random(4205);
        for (var i = 0; i < 1_000; i++)
        {
            var noise = new byte[random.Next(0, 200)];
            random.NextBytes(noise);
            Assert.NotNull(Problem([.. bytes[..12], (byte)noise.Length, 0, 0, 0, .. noise]));
        }
    }

    [Fact]
    public async Task Service_WritesOnlyWhenChanged_AndACorruptFileLeavesTheNodeEmpty()
    {
        var directory = Directory.CreateTempSubdirectory("snapshot-");
        try
        {
            var path = Path.Combine(directory.FullName, "sub", "sessions.snapshot");
            var (store, time) = Store(1);
            var service = new SessionSnapshotService(store, path, TimeSpan.FromSeconds(10), time, NullLogger.Instance);
            Assert.Equal(0, service.Load()); // no file: a first start
            store.Put("k", "b", TimeSpan.FromHours(1), time.GetUtcNow());
            Assert.True(await service.WriteIfChangedAsync());
            Assert.False(await service.WriteIfChangedAsync()); // unchanged
            Assert.False(File.Exists(path + ".tmp"));

            var (restarted, _) = Store(2, time: time);
            Assert.Equal(1, new SessionSnapshotService(restarted, path, TimeSpan.FromSeconds(10), time, NullLogger.Instance).Load());
            Assert.True(restarted.TryPeek("k", time.GetUtcNow(), out _));

            var bytes = await File.ReadAllBytesAsync(path);
            bytes[^3] ^= 0x55;
            await File.WriteAllBytesAsync(path, bytes);
            var (fresh, _) = Store(3, time: time);
            Assert.Equal(0, new SessionSnapshotService(fresh, path, TimeSpan.FromSeconds(10), time, NullLogger.Instance).Load());
            Assert.Equal(0, fresh.Count);

            // A directory where the file should be: logged, never thrown.
            var (blocked, _) = Store(4, time: time);
            Directory.CreateDirectory(path + ".d");
            var odd = new SessionSnapshotService(blocked, path + ".d", TimeSpan.FromSeconds(10), time, NullLogger.Instance);
            Assert.Equal(0, odd.Load());
            blocked.Put("k", "b", TimeSpan.FromHours(1), time.GetUtcNow());
            Assert.False(await odd.WriteIfChangedAsync());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The figure in docs/benchmarks.md: SNAPSHOT_BENCH=1 dotnet test --filter MillionSessions.</summary>
    [Fact]
    public async Task MillionSessions_WriteTimeAndSize()
    {
        if (Environment.GetEnvironmentVariable("SNAPSHOT_BENCH") != "1")
        {
            return;
        }

        var time = new FixedTimeProvider(Start);
        var store = new ReplicatedSessionStore(new HlcSource(1), new SessionTableOptions { MaxSessions = 1_100_000 }, time);
        for (var i = 0; i < 1_000_000; i++)
        {
            store.Put($"c{i:x8}-{i * 7919:x8}", $"10.0.{i % 8}.{i % 250}:8080", TimeSpan.FromMinutes(30), time.GetUtcNow());
        }

        var directory = Directory.CreateTempSubdirectory("snapshot-bench-");
        try
        {
            var path = Path.Combine(directory.FullName, "sessions.snapshot");
            var service = new SessionSnapshotService(store, path, TimeSpan.FromSeconds(10), time, NullLogger.Instance);
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            Assert.True(await service.WriteIfChangedAsync());
            var writeMs = watch.ElapsedMilliseconds;
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            var size = new FileInfo(path).Length;

            var (loaded, _) = Store(2, time: time);
            watch.Restart();
            Assert.Equal(1_000_000, new SessionSnapshotService(loaded, path, TimeSpan.FromSeconds(10), time, NullLogger.Instance).Load());
            output.WriteLine($"1,000,000 sessions: write {writeMs} ms, {size / 1024.0 / 1024.0:F1} MiB, {allocated / 1024.0 / 1024.0:F0} MiB allocated by the write; load {watch.ElapsedMilliseconds} ms");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string? Problem(byte[] bytes)
    {
        Assert.Null(SessionSnapshotCodec.Read(new MemoryStream(bytes), out var problem));
        return problem;
    }

    private static byte[] SmallSnapshot()
    {
        var (store, time) = Store(1);
        for (var i = 0; i < 40; i++)
        {
            store.Put($"session-{i}", $"10.0.0.{i}:80", TimeSpan.FromHours(1), time.GetUtcNow());
        }

        store.Remove("session-3");
        return Encode(store, time);
    }

    private static byte[] Encode(ReplicatedSessionStore store, TimeProvider time)
    {
        using var stream = new MemoryStream();
        SessionSnapshotCodec.Write(stream, store.SnapshotChunks(7), time.GetUtcNow().ToUnixTimeMilliseconds());
        return stream.ToArray();
    }

    private static (ReplicatedSessionStore Store, FixedTimeProvider Time) Store(ulong node, int shards = 8, FixedTimeProvider? time = null)
    {
        time ??= new FixedTimeProvider(Start);
        return (new ReplicatedSessionStore(new HlcSource(node), new SessionTableOptions { ShardCount = shards, MaxSessions = 2_000_000 }, time), time);
    }
}

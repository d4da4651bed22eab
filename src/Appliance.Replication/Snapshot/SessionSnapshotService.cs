using System.Diagnostics;
using Appliance.Replication.Hosting;
using Appliance.Replication.Sessions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Replication.Snapshot;

/// <summary>
/// The I/O shell around <see cref="SessionSnapshotCodec"/>: loads the snapshot into the table at
/// start (merged, so whatever replication brings later wins where newer), rewrites it every
/// interval when the table changed, and once more at a graceful stop. It is registered before the
/// cluster host and the proxy, so it starts before them and stops after them (traffic has stopped).
/// A file that cannot be read or written is logged (4205) and otherwise ignored: the node runs on.
/// Loading never marks the node synced: the start-up sync still pulls from peers.
/// </summary>
internal sealed class SessionSnapshotService : IHostedService, IAsyncDisposable
{
    private const int FileBufferBytes = 1024 * 1024;

    private readonly ReplicatedSessionStore _store;
    private readonly string _path;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private long _writtenVersion = -1;
    private Task? _loop;

    public SessionSnapshotService(ReplicatedSessionStore store, string path, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _store = store;
        _path = path;
        _interval = interval;
        _time = time;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Load();
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        await WriteIfChangedAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _stop.Dispose();
        _writing.Dispose();
    }

    /// <summary>Reads the file into the table; a missing file is a first start, anything wrong is logged.</summary>
    internal int Load()
    {
        try
        {
            if (!File.Exists(_path))
            {
                return 0;
            }

            List<Wire.ShardSlice>? slices;
            string? problem;
            using (var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, FileBufferBytes))
            {
                slices = SessionSnapshotCodec.Read(file, out problem);
            }

            if (slices is null)
            {
                ReplicationLog.SnapshotFailed(_logger, _path, "loaded", problem ?? "unknown");
                return 0;
            }

            var loaded = _store.MergeSnapshot(slices, _time.GetUtcNow());
            ReplicationLog.SnapshotLoaded(_logger, loaded, _path);
            return loaded;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            ReplicationLog.SnapshotFailed(_logger, _path, "loaded", $"{e.GetType().Name}: {e.Message}");
            return 0;
        }
    }

    /// <summary>Writes the table if it moved since the last write: temp file, fsync, rename over the old one.</summary>
    internal async Task<bool> WriteIfChangedAsync()
    {
        await _writing.WaitAsync().ConfigureAwait(false);
        try
        {
            var version = _store.Version;
            if (version == Interlocked.Read(ref _writtenVersion))
            {
                return false;
            }

            var temp = _path + ".tmp";
            try
            {
                var watch = Stopwatch.StartNew();
                if (Path.GetDirectoryName(_path) is { Length: > 0 } directory)
                {
                    Directory.CreateDirectory(directory);
                }

                long entries;
                long bytes;
                using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, FileBufferBytes))
                {
                    entries = SessionSnapshotCodec.Write(file, _store.SnapshotChunks(SessionSnapshotCodec.ChunkEntries), _time.GetUtcNow().ToUnixTimeMilliseconds());
                    file.Flush(flushToDisk: true);
                    bytes = file.Length;
                }

                File.Move(temp, _path, overwrite: true);
                Interlocked.Exchange(ref _writtenVersion, version);
                ReplicationLog.SnapshotWritten(_logger, entries, bytes, watch.ElapsedMilliseconds, _path);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or InvalidOperationException)
            {
                ReplicationLog.SnapshotFailed(_logger, _path, "written", $"{e.GetType().Name}: {e.Message}");
                TryDelete(temp);
                return false;
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                await WriteIfChangedAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping: StopAsync writes the last snapshot
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // best effort: the next write truncates it anyway
        }
    }
}

using System.Collections.Concurrent;

namespace Appliance.Vip.Adverts;

/// <summary>What the advert channel did since start, for the metrics; and a throttle so a flood of bad frames logs once per reason every 10 s.</summary>
internal sealed class AdvertStats
{
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _logged = new(StringComparer.Ordinal);
    private readonly long[] _rejected = new long[Enum.GetValues<AdvertRejection>().Length];
    private long _sent;
    private long _sendFailed;
    private long _received;
    private long _replayed;
    private long _stale;
    private long _silences;

    public long SentCount => Interlocked.Read(ref _sent);

    public long SendFailures => Interlocked.Read(ref _sendFailed);

    public long ReceivedCount => Interlocked.Read(ref _received);

    /// <summary>Signed frames whose sequence was already seen (replays, or reordered late).</summary>
    public long ReplayedCount => Interlocked.Read(ref _replayed);

    /// <summary>Signed frames from an older incarnation of their sender.</summary>
    public long StaleCount => Interlocked.Read(ref _stale);

    /// <summary>Times a peer went silent past the master-down interval.</summary>
    public long SilenceCount => Interlocked.Read(ref _silences);

    public long RejectedCount(AdvertRejection reason) => Interlocked.Read(ref _rejected[(int)reason]);

    public void Sent() => Interlocked.Increment(ref _sent);

    public void SendFailed() => Interlocked.Increment(ref _sendFailed);

    public void Received() => Interlocked.Increment(ref _received);

    public void Replayed() => Interlocked.Increment(ref _replayed);

    public void Stale() => Interlocked.Increment(ref _stale);

    public void WentSilent() => Interlocked.Increment(ref _silences);

    public void Rejected(AdvertRejection reason) => Interlocked.Increment(ref _rejected[(int)reason]);

    /// <summary>True at most once per <paramref name="what"/> every 10 s.</summary>
    public bool ShouldLog(string what, DateTimeOffset now)
    {
        if (_logged.TryGetValue(what, out var last) && now - last < LogEvery)
        {
            return false;
        }

        if (_logged.Count > 64)
        {
            _logged.Clear();
        }

        _logged[what] = now;
        return true;
    }
}

namespace Appliance.Cluster.Transport;

/// <summary>
/// At most one log line per key (a remote address, a peer) per interval; the lines skipped in
/// between are counted and reported with the next one. Bounded: forgets everything beyond
/// <c>maxKeys</c> keys. Thread-safe.
/// </summary>
internal sealed class LogThrottle
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly int _maxKeys;
    private readonly Dictionary<string, (long LastLogged, int Suppressed)> _keys = [];
    private readonly Lock _lock = new();

    public LogThrottle(TimeProvider time, TimeSpan interval, int maxKeys = 1024)
    {
        _time = time;
        _interval = interval;
        _maxKeys = maxKeys;
    }

    /// <summary>True when a line for <paramref name="key"/> may be logged now; <paramref name="suppressed"/> is how many were skipped since the last.</summary>
    public bool ShouldLog(string key, out int suppressed)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (_keys.TryGetValue(key, out var entry) && _time.GetElapsedTime(entry.LastLogged, now) < _interval)
            {
                _keys[key] = (entry.LastLogged, entry.Suppressed + 1);
                suppressed = 0;
                return false;
            }

            if (_keys.Count >= _maxKeys)
            {
                _keys.Clear();
            }

            suppressed = entry.Suppressed;
            _keys[key] = (now, 0);
            return true;
        }
    }
}

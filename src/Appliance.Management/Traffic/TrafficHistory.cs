using Appliance.Management.Sources;

namespace Appliance.Management.Traffic;

/// <summary>
/// Per-backend request and error rates, one point per sample (normally one a second), for the
/// last <see cref="Capacity"/> samples. Rates come from differences of the backends' monotonic
/// counters; a counter that went backwards (a backend removed and added again) restarts from its
/// new value instead of producing a negative rate. Deterministic: time is passed in.
/// </summary>
internal sealed class TrafficHistory(int capacity = 300)
{
    /// <summary>Samples averaged for the "per second" figures of the backends list.</summary>
    public const int RateWindow = 5;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, BackendSeries> _series = new(StringComparer.Ordinal);
    private DateTimeOffset _last = DateTimeOffset.MinValue;

    public int Capacity { get; } = capacity;

    public DateTimeOffset LastSample
    {
        get
        {
            lock (_lock)
            {
                return _last;
            }
        }
    }

    /// <summary>Takes a sample of every backend's counters at <paramref name="now"/>.</summary>
    public void Record(DateTimeOffset now, IEnumerable<BackendSnapshot> backends)
    {
        lock (_lock)
        {
            var elapsed = _last == DateTimeOffset.MinValue ? 0 : (now - _last).TotalSeconds;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var b in backends)
            {
                seen.Add(b.Key);
                if (!_series.TryGetValue(b.Key, out var s))
                {
                    _series[b.Key] = s = new BackendSeries(b.Cluster, b.Id, Capacity, b.Requests, b.Errors);
                    continue; // the first sample only sets the baseline
                }

                s.Add(b.Requests, b.Errors, elapsed);
            }

            foreach (var gone in _series.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                _series.Remove(gone);
            }

            _last = now;
        }
    }

    /// <summary>Mean requests/s and errors/s over the last <see cref="RateWindow"/> samples (0 when none yet).</summary>
    public (double Requests, double Errors) RatesOf(string key)
    {
        lock (_lock)
        {
            return _series.TryGetValue(key, out var s) ? s.Recent(RateWindow) : (0, 0);
        }
    }

    /// <summary>Every backend's last <paramref name="points"/> rates, oldest first, padded with zeros at the front.</summary>
    public IReadOnlyList<(string Cluster, string Backend, double[] Requests, double[] Errors)> Series(int points)
    {
        points = Math.Clamp(points, 1, Capacity);
        lock (_lock)
        {
            return _series.Values
                .OrderBy(s => s.Cluster, StringComparer.Ordinal).ThenBy(s => s.Backend, StringComparer.Ordinal)
                .Select(s => (s.Cluster, s.Backend, s.Requests.Last(points), s.Errors.Last(points)))
                .ToList();
        }
    }

    private sealed class BackendSeries(string cluster, string backend, int capacity, long requests, long errors)
    {
        private long _requests = requests;
        private long _errors = errors;

        public string Cluster { get; } = cluster;
        public string Backend { get; } = backend;
        public Ring Requests { get; } = new(capacity);
        public Ring Errors { get; } = new(capacity);

        public void Add(long requests, long errors, double elapsedSeconds)
        {
            var dr = requests >= _requests ? requests - _requests : requests;
            var de = errors >= _errors ? errors - _errors : errors;
            _requests = requests;
            _errors = errors;
            Requests.Add(elapsedSeconds > 0 ? dr / elapsedSeconds : 0);
            Errors.Add(elapsedSeconds > 0 ? de / elapsedSeconds : 0);
        }

        public (double, double) Recent(int window) => (Requests.MeanOfLast(window), Errors.MeanOfLast(window));
    }

    /// <summary>A fixed-size ring of the most recent values.</summary>
    private sealed class Ring(int capacity)
    {
        private readonly double[] _values = new double[capacity];
        private int _next;
        private int _count;

        public void Add(double value)
        {
            _values[_next] = value;
            _next = (_next + 1) % _values.Length;
            _count = Math.Min(_count + 1, _values.Length);
        }

        public double[] Last(int points)
        {
            var result = new double[points];
            var available = Math.Min(points, _count);
            for (var i = 0; i < available; i++)
            {
                var index = (_next - available + i + _values.Length) % _values.Length;
                result[points - available + i] = _values[index];
            }

            return result;
        }

        public double MeanOfLast(int window)
        {
            var n = Math.Min(window, _count);
            if (n == 0)
            {
                return 0;
            }

            double sum = 0;
            for (var i = 1; i <= n; i++)
            {
                sum += _values[(_next - i + _values.Length) % _values.Length];
            }

            return sum / n;
        }
    }
}

using Appliance.Core.Configuration;

namespace Appliance.Proxy.Health;

/// <summary>
/// Judges one backend from real traffic: trips after N consecutive failures, or when the failure
/// share over a sliding window reaches a rate (once enough requests were seen). Pure apart from a
/// lock; time is passed in. The window is a ring of one-second buckets.
/// </summary>
internal sealed class PassiveFailureTracker(PassiveHealthOptions options)
{
    private readonly Lock _lock = new();
    private readonly Bucket[] _buckets = new Bucket[Math.Max(1, (int)Math.Ceiling(options.Window.TotalSeconds))];
    private int _consecutive;

    public PassiveHealthOptions Options { get; } = options;

    /// <summary>Records one outcome; true when the backend should now be marked unhealthy.</summary>
    public bool Record(bool failed, DateTimeOffset now)
    {
        lock (_lock)
        {
            var second = now.ToUnixTimeSeconds();
            ref var bucket = ref _buckets[second % _buckets.Length];
            if (bucket.Second != second)
            {
                bucket = new Bucket { Second = second };
            }

            bucket.Total++;
            if (failed)
            {
                bucket.Failed++;
                _consecutive++;
            }
            else
            {
                _consecutive = 0;
            }

            if (!failed)
            {
                return false;
            }

            var tripped = (Options.ConsecutiveFailures > 0 && _consecutive >= Options.ConsecutiveFailures)
                || RateExceeded(second);
            if (tripped)
            {
                Reset();
            }

            return tripped;
        }
    }

    private bool RateExceeded(long second)
    {
        if (Options.FailureRate <= 0)
        {
            return false;
        }

        long total = 0, failed = 0;
        foreach (var b in _buckets)
        {
            if (second - b.Second < _buckets.Length)
            {
                total += b.Total;
                failed += b.Failed;
            }
        }

        return total >= Options.MinimumRequests && (double)failed / total >= Options.FailureRate;
    }

    private void Reset()
    {
        _consecutive = 0;
        Array.Clear(_buckets);
    }

    private struct Bucket
    {
        public long Second;
        public long Total;
        public long Failed;
    }
}

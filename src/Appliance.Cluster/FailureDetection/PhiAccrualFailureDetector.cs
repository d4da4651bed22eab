namespace Appliance.Cluster.FailureDetection;

/// <summary>
/// The phi accrual failure detector (Hayashibara et al.), as Akka implements it: phi is the
/// suspicion that a peer is gone, from how late its heartbeat is relative to the distribution of
/// past intervals (mean + acceptable pause, with a floor on the deviation so a very regular peer
/// is not declared dead by one late packet). Pure: time is passed in, in milliseconds.
/// </summary>
internal sealed class PhiAccrualFailureDetector
{
    private readonly FailureDetectorOptions _options;
    private readonly HeartbeatHistory _history;
    private long? _lastMs;

    public PhiAccrualFailureDetector(FailureDetectorOptions options)
    {
        _options = options;
        _history = new HeartbeatHistory(options.MaxSampleSize);
    }

    public long? LastHeartbeatMs => _lastMs;

    /// <summary>Records a heartbeat that arrived at <paramref name="nowMs"/>.</summary>
    public void Heartbeat(long nowMs)
    {
        if (_lastMs is { } last)
        {
            var interval = nowMs - last;
            if (interval >= 0)
            {
                _history.Add(interval);
            }
        }
        else
        {
            // First heartbeat: seed the history around the expected interval (Akka's first-heartbeat estimate),
            // so the detector can judge from the start instead of after many samples.
            var expected = _options.HeartbeatInterval.TotalMilliseconds;
            var deviation = expected / 4;
            _history.Add(expected - deviation);
            _history.Add(expected + deviation);
        }

        _lastMs = nowMs;
    }

    /// <summary>Suspicion level now; 0 before the first heartbeat.</summary>
    public double Phi(long nowMs)
    {
        if (_lastMs is not { } last)
        {
            return 0;
        }

        var mean = _history.Mean + _options.AcceptableHeartbeatPause.TotalMilliseconds;
        var deviation = Math.Max(Math.Sqrt(_history.Variance), _options.MinStdDeviation.TotalMilliseconds);
        return Phi(nowMs - last, mean, deviation);
    }

    public bool IsAvailable(long nowMs) => Phi(nowMs) < _options.Threshold;

    /// <summary>-log10 of the probability that a heartbeat is still to come, by a logistic approximation of the normal CDF.</summary>
    internal static double Phi(double elapsed, double mean, double deviation)
    {
        var y = (elapsed - mean) / deviation;
        var e = Math.Exp(-y * (1.5976 + (0.070566 * y * y)));
        return elapsed > mean
            ? -Math.Log10(e / (1.0 + e))
            : -Math.Log10(1.0 - (1.0 / (1.0 + e)));
    }
}

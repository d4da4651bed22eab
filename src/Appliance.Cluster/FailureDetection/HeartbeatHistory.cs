namespace Appliance.Cluster.FailureDetection;

/// <summary>The last N heartbeat intervals with running sums, for mean and variance in O(1).</summary>
internal sealed class HeartbeatHistory(int maxSamples)
{
    private readonly double[] _samples = new double[maxSamples];
    private int _count;
    private int _next;
    private double _sum;
    private double _sumOfSquares;

    public int Count => _count;

    public double Mean => _count == 0 ? 0 : _sum / _count;

    public double Variance => _count == 0 ? 0 : Math.Max(0, (_sumOfSquares / _count) - (Mean * Mean));

    public void Add(double interval)
    {
        if (_count == _samples.Length)
        {
            var old = _samples[_next];
            _sum -= old;
            _sumOfSquares -= old * old;
        }
        else
        {
            _count++;
        }

        _samples[_next] = interval;
        _sum += interval;
        _sumOfSquares += interval * interval;
        _next = (_next + 1) % _samples.Length;
    }
}

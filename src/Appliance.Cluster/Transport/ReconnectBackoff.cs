namespace Appliance.Cluster.Transport;

/// <summary>Reconnect delays: the minimum, doubling per failed attempt up to the maximum, each scaled by a random 0.8..1.2 so peers do not reconnect in step.</summary>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly Random _random;
    private int _attempt;

    public ReconnectBackoff(TimeSpan min, TimeSpan max, Random random)
    {
        _min = min;
        _max = max;
        _random = random;
    }

    public TimeSpan Next()
    {
        var ticks = _min.Ticks;
        for (var i = 0; i < _attempt && ticks < _max.Ticks; i++)
        {
            ticks *= 2;
        }

        _attempt = Math.Min(_attempt + 1, 64);
        var jittered = (long)(Math.Min(ticks, _max.Ticks) * (0.8 + (0.4 * _random.NextDouble())));
        return TimeSpan.FromTicks(Math.Min(jittered, _max.Ticks));
    }

    public void Reset() => _attempt = 0;
}

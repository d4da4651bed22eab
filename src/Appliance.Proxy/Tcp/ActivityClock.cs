namespace Appliance.Proxy.Tcp;

/// <summary>
/// When a connection last carried data, in <see cref="Environment.TickCount64"/> milliseconds. Written
/// on every chunk by the pump and read by the listener's idle sweep, so idle timeouts need no timer per
/// connection or per read.
/// </summary>
internal sealed class ActivityClock
{
    private long _lastMs = Environment.TickCount64;

    public long LastMs => Volatile.Read(ref _lastMs);

    public void Touch() => Volatile.Write(ref _lastMs, Environment.TickCount64);

    /// <summary>True when nothing moved for at least <paramref name="timeoutMs"/> up to <paramref name="nowMs"/>.</summary>
    public bool IsIdle(long nowMs, long timeoutMs) => nowMs - LastMs >= timeoutMs;
}

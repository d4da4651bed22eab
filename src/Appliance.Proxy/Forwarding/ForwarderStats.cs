namespace Appliance.Proxy.Forwarding;

/// <summary>Which forwarder took each proxied request, and how often a kept-alive connection had to be replaced mid-request (for metrics).</summary>
internal sealed class ForwarderStats
{
    private long _direct;
    private long _yarp;
    private long _staleRetries;

    public long Direct => Volatile.Read(ref _direct);

    public long Yarp => Volatile.Read(ref _yarp);

    /// <summary>Requests sent again on a new connection because the kept-alive one was closed by the backend as the request went out.</summary>
    public long StaleRetries => Volatile.Read(ref _staleRetries);

    public void RecordDirect() => Interlocked.Increment(ref _direct);

    public void RecordYarp() => Interlocked.Increment(ref _yarp);

    public void RecordStaleRetry() => Interlocked.Increment(ref _staleRetries);
}

namespace Appliance.Proxy.Model;

/// <summary>Monotonic per-backend counters for metrics (requests by status class, transport errors, durations).</summary>
internal sealed class BackendCounters
{
    private readonly long[] _byClass = new long[6];
    private long _transportErrors;
    private long _retries;

    public void Record(int status)
    {
        var cls = status / 100;
        Interlocked.Increment(ref _byClass[cls is >= 1 and <= 5 ? cls : 0]);
    }

    /// <summary>Time from sending the request to the end of the answer, for answered requests.</summary>
    public LatencyHistogram Duration { get; } = new();

    /// <summary>Counts an answer and its duration (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
    public void Record(int status, long elapsedTicks)
    {
        Record(status);
        Duration.Record(elapsedTicks);
    }

    public void RecordTransportError() => Interlocked.Increment(ref _transportErrors);

    public void RecordRetry() => Interlocked.Increment(ref _retries);

    /// <summary>Answers with status <paramref name="statusClass"/>xx (1..5).</summary>
    public long Responses(int statusClass) => Interlocked.Read(ref _byClass[statusClass]);

    public long TransportErrors => Interlocked.Read(ref _transportErrors);

    public long Retries => Interlocked.Read(ref _retries);

    public long Total
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _byClass.Length; i++)
            {
                sum += Interlocked.Read(ref _byClass[i]);
            }

            return sum;
        }
    }
}

using Appliance.Core.Configuration;

namespace Appliance.Proxy.Model;

/// <summary>
/// Live state of one backend on this node: admin state, weight, slot accounting and counters.
/// Survives configuration reloads by id (as YARP's DestinationState does), so a reload neither
/// resets a drain nor loses in-flight accounting.
/// </summary>
/// <param name="keyPrefix">Namespace of <see cref="Key"/>: empty for HTTP clusters, <c>tcp/</c> for TCP pools.</param>
internal sealed class BackendRuntime(string clusterId, string destinationId, DestinationMetadata metadata, string keyPrefix = "")
{
    private long _inFlight;
    private long _recoveredAtTicks = long.MinValue;
    private int _weightOverride = -1;
    private volatile DestinationMetadata _metadata = metadata;
    private volatile BackendAdminState _adminState = metadata.InitialState;

    public string ClusterId { get; } = clusterId;
    public string DestinationId { get; } = destinationId;

    /// <summary>Key in <see cref="Core.State.IConnectionCounts"/> and metrics: <c>{cluster}/{destination}</c>, or <c>tcp/{pool}/{backend}</c>.</summary>
    public string Key { get; } = $"{keyPrefix}{clusterId}/{destinationId}";

    public BackendCounters Counters { get; } = new();

    public DestinationMetadata Metadata => _metadata;

    public BackendAdminState AdminState
    {
        get => _adminState;
        set => _adminState = value;
    }

    /// <summary>Weight after any runtime override (slow start not applied).</summary>
    public int Weight
    {
        get
        {
            var overridden = Volatile.Read(ref _weightOverride);
            return overridden >= 0 ? overridden : _metadata.Weight;
        }
    }

    /// <summary>Requests this node has in flight to the backend.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Replaces settings from a reloaded file; a changed State in the file wins over a runtime change.</summary>
    public void Reconfigure(DestinationMetadata metadata)
    {
        var previous = _metadata;
        _metadata = metadata;
        if (previous.InitialState != metadata.InitialState)
        {
            _adminState = metadata.InitialState;
        }

        if (previous.Weight != metadata.Weight)
        {
            Volatile.Write(ref _weightOverride, -1);
        }
    }

    public void OverrideWeight(int weight) => Volatile.Write(ref _weightOverride, weight);

    /// <summary>An operator's state change. Leaving maint starts the slow-start ramp (HTTP and TCP alike).</summary>
    public void ChangeAdminState(BackendAdminState state, DateTimeOffset now)
    {
        var previous = _adminState;
        _adminState = state;
        if (previous == BackendAdminState.Maint && state != BackendAdminState.Maint)
        {
            MarkRecovered(now);
        }
    }

    /// <summary>An operator's weight change, refused outside 0..<see cref="DestinationMetadata.MaxWeight"/>.</summary>
    public bool TryOverrideWeight(int weight)
    {
        if (weight is < 0 or > DestinationMetadata.MaxWeight)
        {
            return false;
        }

        OverrideWeight(weight);
        return true;
    }

    /// <summary>Takes a request slot unless MaxRequests is reached.</summary>
    public bool TryAcquire()
    {
        var max = _metadata.MaxRequests;
        if (max <= 0)
        {
            Interlocked.Increment(ref _inFlight);
            return true;
        }

        while (true)
        {
            var current = Interlocked.Read(ref _inFlight);
            if (current >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public bool HasFreeSlot
    {
        get
        {
            var max = _metadata.MaxRequests;
            return max <= 0 || Interlocked.Read(ref _inFlight) < max;
        }
    }

    public void Release() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// Starts the slow-start ramp at <paramref name="at"/>: the backend just came back from failure or
    /// maintenance, or (a time ahead) will be given traffic again when a passive ejection ends.
    /// </summary>
    public void MarkRecovered(DateTimeOffset at) => Interlocked.Exchange(ref _recoveredAtTicks, at.UtcTicks);

    /// <summary>
    /// Weight used for new picks: the configured weight, scaled down linearly during slow start
    /// (never below 5% so a recovering backend is still probed by real traffic).
    /// </summary>
    public double EffectiveWeight(DateTimeOffset now, TimeSpan slowStart)
    {
        var weight = Weight;
        var recovered = Interlocked.Read(ref _recoveredAtTicks);
        if (weight == 0 || slowStart <= TimeSpan.Zero || recovered == long.MinValue)
        {
            return weight;
        }

        var elapsed = now.UtcTicks - recovered;
        if (elapsed >= slowStart.Ticks)
        {
            return weight;
        }

        return weight * Math.Max(0.05, (double)Math.Max(0, elapsed) / slowStart.Ticks);
    }
}

namespace Appliance.Management.Sources;

/// <summary>
/// Reads the backends' live state and changes an operator's say over them (admin state, weight).
/// Implemented by the node over the proxy's backend registry.
/// </summary>
public interface IBackendAdmin
{
    /// <summary>Every cluster and its backends now, clusters and backends ordered by id.</summary>
    IReadOnlyList<ClusterSnapshot> Snapshot();

    /// <summary>Sets a backend's admin state: "ready", "drain" or "maint".</summary>
    AdminChange SetState(string cluster, string backend, string state);

    /// <summary>Overrides a backend's weight (0 to 256) until the file changes it.</summary>
    AdminChange SetWeight(string cluster, string backend, int weight);

    /// <summary>"node" while changes apply to this node only; "cluster" once they are replicated.</summary>
    string Scope { get; }
}

/// <summary>One cluster's live state.</summary>
/// <param name="Id">Cluster id.</param>
/// <param name="Policy">Load-balancing policy name.</param>
/// <param name="QueueWaiting">Requests waiting for a slot now.</param>
/// <param name="QueueMaxLength">The queue's limit.</param>
/// <param name="QueueRejected">Requests refused because the queue was full, since start.</param>
/// <param name="QueueTimedOut">Requests that waited past the queue timeout, since start.</param>
/// <param name="Backends">Its backends, ordered by id.</param>
public sealed record ClusterSnapshot(
    string Id,
    string Policy,
    int QueueWaiting,
    int QueueMaxLength,
    long QueueRejected,
    long QueueTimedOut,
    IReadOnlyList<BackendSnapshot> Backends);

/// <summary>One backend's live state and raw counters; rates are computed by the management side.</summary>
/// <param name="Cluster">Cluster id.</param>
/// <param name="Id">Destination id.</param>
/// <param name="Address">Destination address.</param>
/// <param name="ActiveHealth">"healthy", "unhealthy" or "unknown".</param>
/// <param name="PassiveHealth">"healthy", "unhealthy" or "unknown".</param>
/// <param name="Available">Health lets it take traffic.</param>
/// <param name="AdminState">"ready", "drain" or "maint".</param>
/// <param name="Weight">Weight in force.</param>
/// <param name="ConfiguredWeight">Weight from the file.</param>
/// <param name="InFlightLocal">Requests this node has in flight to it.</param>
/// <param name="InFlightCluster">Requests the whole cluster has in flight to it.</param>
/// <param name="Responses">Answers by status class: index 1..5 for 1xx..5xx, index 0 for anything else.</param>
/// <param name="TransportErrors">Attempts that got no answer (connect or send failures), since start.</param>
/// <param name="Duration">Time to answer, for the histogram.</param>
public sealed record BackendSnapshot(
    string Cluster,
    string Id,
    string Address,
    string ActiveHealth,
    string PassiveHealth,
    bool Available,
    string AdminState,
    int Weight,
    int ConfiguredWeight,
    long InFlightLocal,
    long InFlightCluster,
    IReadOnlyList<long> Responses,
    long TransportErrors,
    HistogramSnapshot Duration)
{
    /// <summary><c>{cluster}/{backend}</c>.</summary>
    public string Key => $"{Cluster}/{Id}";

    /// <summary>Answered requests.</summary>
    public long Requests => Responses.Sum();

    /// <summary>5xx answers plus transport errors.</summary>
    public long Errors => (Responses.Count > 5 ? Responses[5] : 0) + TransportErrors;
}

/// <summary>A histogram's state: per-bucket counts (not cumulative), the last bucket being +Inf.</summary>
/// <param name="UpperBounds">Upper bounds of the finite buckets, in seconds, ascending.</param>
/// <param name="Counts">Observations per bucket; one more entry than <paramref name="UpperBounds"/> (the +Inf bucket).</param>
/// <param name="Sum">Sum of all observations, in seconds.</param>
public sealed record HistogramSnapshot(IReadOnlyList<double> UpperBounds, IReadOnlyList<long> Counts, double Sum)
{
    /// <summary>An empty histogram with no buckets.</summary>
    public static readonly HistogramSnapshot Empty = new([], [0], 0);

    /// <summary>Total observations.</summary>
    public long Count => Counts.Sum();
}

/// <summary>Outcome of a backend change.</summary>
public enum AdminChange
{
    /// <summary>Applied.</summary>
    Done,

    /// <summary>No cluster with that id.</summary>
    UnknownCluster,

    /// <summary>The cluster has no backend with that id.</summary>
    UnknownBackend,

    /// <summary>The value is out of range (weight) or unknown (state).</summary>
    InvalidValue,
}

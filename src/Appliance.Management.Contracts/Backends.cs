namespace Appliance.Management.Contracts;

/// <summary><c>GET /api/v1/backends[?cluster=ID]</c>: every cluster (pool) and its backends.</summary>
public sealed record BackendsResponse(IReadOnlyList<ClusterInfo> Clusters);

/// <summary>One cluster (pool of backends).</summary>
/// <param name="Id">The YARP cluster id.</param>
/// <param name="Policy">Its load-balancing policy.</param>
/// <param name="Queue">Its bounded queue (requests waiting for a backend slot).</param>
/// <param name="Backends">Its backends, ordered by id.</param>
public sealed record ClusterInfo(string Id, string Policy, QueueInfo Queue, IReadOnlyList<BackendInfo> Backends);

/// <summary>A cluster's queue: waiting now, its limit, and requests it turned away since start.</summary>
public sealed record QueueInfo(int Waiting, int MaxLength, long Rejected, long TimedOut);

/// <summary>One backend (YARP destination).</summary>
/// <param name="Cluster">Its cluster id.</param>
/// <param name="Id">Its destination id.</param>
/// <param name="Address">Where it is reached.</param>
/// <param name="Health">Active and passive health, and whether it takes traffic.</param>
/// <param name="AdminState">"ready", "drain" or "maint".</param>
/// <param name="Weight">Weight in force (a runtime override, or the file's).</param>
/// <param name="ConfiguredWeight">Weight the file gives.</param>
/// <param name="InFlight">Requests in flight now.</param>
/// <param name="RequestsPerSecond">Answered requests per second over the last 5 seconds.</param>
/// <param name="ErrorsPerSecond">Errors (5xx answers and transport failures) per second over the last 5 seconds.</param>
/// <param name="RequestsTotal">Answered requests since the backend appeared.</param>
/// <param name="ErrorsTotal">Errors since the backend appeared.</param>
public sealed record BackendInfo(
    string Cluster,
    string Id,
    string Address,
    BackendHealthInfo Health,
    string AdminState,
    int Weight,
    int ConfiguredWeight,
    InFlightInfo InFlight,
    double RequestsPerSecond,
    double ErrorsPerSecond,
    long RequestsTotal,
    long ErrorsTotal);

/// <summary>Health as the checks see it.</summary>
/// <param name="Active">Active probes: "healthy", "unhealthy" or "unknown" (not probed, or not yet decided).</param>
/// <param name="Passive">Passive tracking of real traffic: "healthy", "unhealthy" or "unknown".</param>
/// <param name="Available">True when health lets it take traffic (admin state aside).</param>
public sealed record BackendHealthInfo(string Active, string Passive, bool Available);

/// <summary>Requests in flight to a backend: from this node, and from every node of the cluster (equal while the node runs alone).</summary>
public sealed record InFlightInfo(long Local, long Cluster);

/// <summary><c>PUT /api/v1/backends/{cluster}/{backend}/weight</c>.</summary>
/// <param name="Weight">0 (no new traffic) to 256.</param>
public sealed record WeightRequest(int? Weight);

/// <summary>What a backend action did.</summary>
/// <param name="Backend">The backend after the change.</param>
/// <param name="Scope">"node": applied on this node only; "cluster": applied on every node.</param>
/// <param name="Message">One line for humans.</param>
public sealed record BackendActionResult(BackendInfo Backend, string Scope, string Message);

namespace Appliance.Management.Contracts;

/// <summary><c>GET /api/v1/status</c>: who the node is and whether it is ready to serve.</summary>
/// <param name="Name">The node's name (<c>Node.Name</c>).</param>
/// <param name="Version">The daemon's version.</param>
/// <param name="StartedAt">When the process started serving.</param>
/// <param name="UptimeSeconds">Seconds since <paramref name="StartedAt"/>.</param>
/// <param name="Ready">True when the node serves traffic: configuration applied, listeners bound, not shutting down.</param>
/// <param name="NotReadyReasons">Why <paramref name="Ready"/> is false; empty when ready.</param>
/// <param name="Config">The configuration in force.</param>
/// <param name="Cluster">"not configured" until cluster membership exists, then the cluster's name.</param>
public sealed record NodeStatus(
    string Name,
    string Version,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    bool Ready,
    IReadOnlyList<string> NotReadyReasons,
    ConfigState Config,
    string Cluster);

/// <summary>The configuration in force and the last reload attempt.</summary>
/// <param name="Revision">1 for the configuration the node started with, +1 on every applied reload.</param>
/// <param name="AppliedAt">When that revision was applied.</param>
/// <param name="Path">The file the node reads, or null when it was started without one (demo, tests).</param>
/// <param name="LastReload">The last reload attempt (applied or refused), or null when there was none.</param>
public sealed record ConfigState(long Revision, DateTimeOffset? AppliedAt, string? Path, ReloadAttempt? LastReload);

/// <summary>One reload attempt, from a file change, SIGHUP or the API.</summary>
/// <param name="At">When it finished.</param>
/// <param name="Trigger">"file change", "SIGHUP" or "admin API".</param>
/// <param name="Applied">True when the new file is in force.</param>
/// <param name="Problems">How many problems refused it (0 when applied).</param>
public sealed record ReloadAttempt(DateTimeOffset At, string Trigger, bool Applied, int Problems);

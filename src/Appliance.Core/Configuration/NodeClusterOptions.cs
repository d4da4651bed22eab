namespace Appliance.Core.Configuration;

/// <summary>
/// The <c>Cluster</c> section: how this node finds the other balancer nodes, authenticates them and
/// judges them alive. Absent means a single node with local state only.
/// </summary>
public sealed record NodeClusterOptions
{
    /// <summary>Where the cluster listener binds, <c>host:port</c> (default port 7946).</summary>
    public string BindAddress { get; init; } = "0.0.0.0:7946";

    /// <summary>
    /// The address other nodes use to reach this one. Required when <see cref="BindAddress"/> is a
    /// wildcard (0.0.0.0, [::], *), because a wildcard says nothing about how to reach us.
    /// </summary>
    public string? AdvertiseAddress { get; init; }

    /// <summary>Addresses of seed nodes (usually every node of a small cluster, this one included).</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>
    /// File with the shared cluster key: base64 of at least 32 random bytes. The cluster's TLS
    /// authority is derived from it (mutual TLS: a peer is accepted only with a certificate that
    /// authority issued), so every node needs the same file.
    /// </summary>
    public string KeyFile { get; init; } = "";

    /// <summary>
    /// Heartbeat to every member this often. With <see cref="AcceptableHeartbeatPause"/> 200 ms and
    /// <see cref="MinStdDeviation"/> 50 ms a silent peer is unreachable after about 560 ms (issue 15);
    /// a flap costs nothing, since only <see cref="DownAfter"/> removes a member.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Phi above which a peer is considered unreachable (Akka's default, 8).</summary>
    public double PhiThreshold { get; init; } = 8;

    /// <summary>Added to the mean interval before suspicion grows (GC pauses, scheduling).</summary>
    public TimeSpan AcceptableHeartbeatPause { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Floor on the learned deviation, so one late heartbeat from a very regular peer is not fatal.</summary>
    public TimeSpan MinStdDeviation { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// An unreachable member is marked Down after this long, by any member that sees it so
    /// (availability first: each side of a partition carries on). Must be positive: validation
    /// refuses zero. Kept at the previous release's 2 s: detection is fast, downing is
    /// what must not flap (a few lost heartbeats in a row stay well under it).
    /// </summary>
    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A node that is its own seed forms a new cluster only if no other seed answered in this time.</summary>
    public TimeSpan SeedJoinTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Akka's gossip interval (membership state to a peer this often) and its leader-actions interval (the leader moves members Up or Removed this often).</summary>
    public TimeSpan GossipInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Largest Akka.Remote frame sent or accepted, in bytes (<c>maximum-frame-size</c>).</summary>
    public int MaxFrameSize { get; init; } = 1024 * 1024;

    /// <summary>
    /// Where this node keeps a snapshot of its session table, so sessions survive a restart of the
    /// whole cluster (loaded at start, then merged with what replication brings). Written in the
    /// background and at shutdown. Null or empty disables it.
    /// </summary>
    public string? SessionSnapshotFile { get; init; } = DefaultSessionSnapshotFile;

    /// <summary>How often the snapshot is rewritten, and only if the table changed since the last write.</summary>
    public TimeSpan SessionSnapshotInterval { get; init; } = TimeSpan.FromSeconds(10);

    public const string DefaultSessionSnapshotFile = "/var/lib/appliance/sessions.snapshot";
}

namespace Appliance.Core.Configuration;

/// <summary>
/// Our additions to YARP's model, keyed by the YARP cluster and route ids they extend.
/// Per-backend settings live in the destination's <c>Metadata</c> instead (see <see cref="DestinationMetadata"/>).
/// </summary>
public sealed record BalancingOptions
{
    public IReadOnlyDictionary<string, ClusterBalancingOptions> Clusters { get; init; } =
        new Dictionary<string, ClusterBalancingOptions>();

    public IReadOnlyDictionary<string, RouteOptions> Routes { get; init; } =
        new Dictionary<string, RouteOptions>();

    /// <summary>Options for a cluster, or the defaults when the cluster has no entry.</summary>
    public ClusterBalancingOptions For(string clusterId) =>
        Clusters.TryGetValue(clusterId, out var options) ? options : ClusterBalancingOptions.Default;
}

/// <summary>How one cluster balances, queues, retries and judges health.</summary>
public sealed record ClusterBalancingOptions
{
    public static readonly ClusterBalancingOptions Default = new();

    /// <summary>What the ConsistentHash policy hashes.</summary>
    public HashKeyOptions HashKey { get; init; } = new();

    /// <summary>Where requests wait when every eligible backend is at its MaxRequests.</summary>
    public QueueOptions Queue { get; init; } = new();

    /// <summary>After a backend recovers, its weight ramps from 0 to full over this time. Zero disables.</summary>
    public TimeSpan SlowStart { get; init; } = TimeSpan.Zero;

    /// <summary>How many other backends an idempotent request may try after a failed connect.</summary>
    public int Retries { get; init; } = 1;

    /// <summary>Our reading of active probe results (YARP sends the probes).</summary>
    public ActiveHealthOptions HealthCheck { get; init; } = new();

    /// <summary>Marking backends down from real traffic.</summary>
    public PassiveHealthOptions PassiveHealthCheck { get; init; } = new();

    /// <summary>
    /// <c>Auto</c> (default): plain HTTP/1.1 requests go through the proxy's own forwarder, the rest
    /// through YARP's. <c>Yarp</c>: always YARP's (see <see cref="ForwarderModes"/>).
    /// </summary>
    public string Forwarder { get; init; } = ForwarderModes.Auto;

    /// <summary>Sticky sessions idle longer than this are forgotten.</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>The key the consistent-hash policy hashes.</summary>
public sealed record HashKeyOptions
{
    /// <summary><c>PathAndQuery</c> (default), <c>Header</c>, <c>Cookie</c> or <c>ClientIp</c>.</summary>
    public string Source { get; init; } = "PathAndQuery";

    /// <summary>Header or cookie name, for those sources.</summary>
    public string? Name { get; init; }
}

/// <summary>The bounded wait for a free backend slot.</summary>
public sealed record QueueOptions
{
    /// <summary>Most requests waiting at once; 0 answers 503 at once when all backends are full.</summary>
    public int MaxLength { get; init; } = 100;

    /// <summary>How long a queued request waits before a 503.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>Rise/fall reading of active probes.</summary>
public sealed record ActiveHealthOptions
{
    /// <summary>Healthy statuses, e.g. <c>200-399</c> or <c>200,204</c>.</summary>
    public string ExpectedStatus { get; init; } = "200-399";

    /// <summary>Consecutive good probes to mark a down backend up.</summary>
    public int Rise { get; init; } = 2;

    /// <summary>Consecutive bad probes to mark an up backend down.</summary>
    public int Fall { get; init; } = 3;
}

/// <summary>Passive checks: judge backends by the traffic itself.</summary>
public sealed record PassiveHealthOptions
{
    public bool Enabled { get; init; }

    /// <summary>Mark down after this many failures in a row (0 disables this rule).</summary>
    public int ConsecutiveFailures { get; init; } = 5;

    /// <summary>Mark down when the failure share within <see cref="Window"/> reaches this (0 disables).</summary>
    public double FailureRate { get; init; }

    /// <summary>Requests needed in the window before the rate rule may judge.</summary>
    public int MinimumRequests { get; init; } = 20;

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A backend marked down passively is tried again after this.</summary>
    public TimeSpan ReactivationPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Also count 5xx answers as failures (HAProxy's observe layer7); otherwise only transport errors.</summary>
    public bool CountServerErrors { get; init; }
}

/// <summary>Our additions to one YARP route.</summary>
public sealed record RouteOptions
{
    public RateLimitOptions? RateLimit { get; init; }
}

/// <summary>Per-client-IP token bucket.</summary>
public sealed record RateLimitOptions
{
    /// <summary>Tokens added per second.</summary>
    public double RequestsPerSecond { get; init; }

    /// <summary>Bucket size: the most requests a client may send in a burst.</summary>
    public int Burst { get; init; }
}

namespace Appliance.Core.Configuration;

/// <summary>A TCP pool: the backends a listener forwards to, and how they are chosen and judged.</summary>
public sealed record TcpPoolOptions
{
    /// <summary>
    /// The balancing policy, one of <see cref="PolicyNames.LoadBalancingPolicies"/>. <c>ConsistentHash</c>
    /// hashes the client IP address (source affinity). Default: <c>RoundRobin</c>.
    /// </summary>
    public string Policy { get; init; } = PolicyNames.RoundRobin;

    /// <summary>The backends, keyed by id.</summary>
    public IReadOnlyDictionary<string, TcpBackendOptions> Backends { get; init; } =
        new Dictionary<string, TcpBackendOptions>();

    /// <summary>How long a connection attempt to a backend may take before the next backend is tried.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How many other backends a connection may try after a failed connect.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>Where connections wait while every eligible backend is at its MaxConnections; MaxLength 0 refuses them.</summary>
    public QueueOptions Queue { get; init; } = new();

    /// <summary>After a backend recovers, its weight ramps from 0 to full over this time. Zero disables.</summary>
    public TimeSpan SlowStart { get; init; } = TimeSpan.Zero;

    /// <summary>Send every connection from one client IP to the same backend while the pin is used.</summary>
    public TcpStickyOptions Sticky { get; init; } = new();

    /// <summary>Active checks: TCP connect, optionally a send/expect exchange.</summary>
    public TcpHealthCheckOptions HealthCheck { get; init; } = new();

    /// <summary>Marking backends down from failed connects of real traffic.</summary>
    public PassiveHealthOptions PassiveHealthCheck { get; init; } = new();

    /// <summary><c>None</c> (default), <c>V1</c> or <c>V2</c>: the PROXY protocol header sent to the backend before the client's bytes.</summary>
    public string SendProxyProtocol { get; init; } = "None";
}

/// <summary>One backend of a TCP pool.</summary>
public sealed record TcpBackendOptions
{
    /// <summary><c>ip:port</c>, e.g. <c>10.0.1.11:5432</c> or <c>[2001:db8::11]:5432</c>. Host names are not resolved.</summary>
    public string Address { get; init; } = "";

    /// <summary>Share of new connections, 0 to 256; 0 takes no new connections (sticky clients still come).</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Most connections this node holds open to the backend at once; 0 means no limit.</summary>
    public int MaxConnections { get; init; }

    /// <summary>The admin state the backend starts in (ready, drain, maint).</summary>
    public BackendAdminState State { get; init; } = BackendAdminState.Ready;
}

/// <summary>Stickiness by client IP, kept in the (replicated) session table.</summary>
public sealed record TcpStickyOptions
{
    public bool Enabled { get; init; }

    /// <summary>A pin not used by a new connection for this long is forgotten.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>Active TCP health checks.</summary>
public sealed record TcpHealthCheckOptions
{
    public bool Enabled { get; init; }

    /// <summary>Time between two checks of one backend.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one check (connect, and send/expect when set) may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Consecutive good checks to mark a down backend up.</summary>
    public int Rise { get; init; } = 2;

    /// <summary>Consecutive bad checks to mark an up backend down.</summary>
    public int Fall { get; init; } = 3;

    /// <summary>Text sent once connected (e.g. <c>"PING\r\n"</c>); absent sends nothing.</summary>
    public string? Send { get; init; }

    /// <summary>Text that must appear in the first 4 KiB the backend answers; absent means connecting is enough.</summary>
    public string? Expect { get; init; }
}

namespace Appliance.Core.Configuration;

/// <summary>
/// The whole configuration of one node, as read from its JSON file. Immutable: a reload builds a
/// new instance and swaps it in whole, so readers never see half of one file and half of another.
/// </summary>
public sealed record ApplianceConfig
{
    /// <summary>Who this node is.</summary>
    public NodeOptions Node { get; init; } = new();

    /// <summary>Client-facing HTTP listeners (addresses, TLS).</summary>
    public IReadOnlyList<ListenerOptions> Listeners { get; init; } = [];

    /// <summary>Which upstream proxies may set X-Forwarded-* headers.</summary>
    public ForwardedHeadersOptions ForwardedHeaders { get; init; } = new();

    /// <summary>Our per-cluster and per-route additions to the YARP model.</summary>
    public BalancingOptions Balancing { get; init; } = new();

    /// <summary>The request log.</summary>
    public AccessLogOptions AccessLog { get; init; } = new();

    /// <summary>The admin listener.</summary>
    public AdminOptions Admin { get; init; } = new();

    /// <summary>Membership with the other balancer nodes; null runs a single node.</summary>
    public NodeClusterOptions? Cluster { get; init; }

    /// <summary>Virtual IPs the balancer nodes hand between them; empty holds none.</summary>
    public IReadOnlyList<VipOptions> Vips { get; init; } = [];

    /// <summary>The VIP layer's advert channel (UDP); only used when there are VIPs.</summary>
    public VipAdvertsOptions VipAdverts { get; init; } = new();

    /// <summary>
    /// The routes and clusters, in YARP's own <c>ReverseProxy</c> schema. Core reads only the parts
    /// it validates; the proxy binds the raw JSON to YARP's types so every YARP key keeps working.
    /// </summary>
    public ProxySection ReverseProxy { get; init; } = ProxySection.Empty;

    /// <summary>Layer-4 listeners and pools.</summary>
    public TcpOptions Tcp { get; init; } = new();

    /// <summary>
    /// ASP.NET Core's <c>AllowedHosts</c>: the Host header values the data plane serves (<c>example.com</c>,
    /// <c>*.example.com</c>); others get 400. Empty allows any. Read by the loader, not bound as a section.
    /// </summary>
    public IReadOnlyList<string> AllowedHosts { get; internal init; } = [];

    /// <summary>ASP.NET Core's <c>Logging</c> section as written (JSON text), which the host reads at start; null when absent.</summary>
    public string? LoggingJson { get; internal init; }
}

/// <summary>The node's identity.</summary>
public sealed record NodeOptions
{
    /// <summary>Name shown in logs, metrics and the cluster view. Defaults to the host name.</summary>
    public string Name { get; init; } = Environment.MachineName;
}

/// <summary>The request log, one JSON object per line.</summary>
public sealed record AccessLogOptions
{
    public bool Enabled { get; init; }

    /// <summary>File to append to; empty means standard output.</summary>
    public string? Path { get; init; }
}

/// <summary>The admin API listener (served by the management component).</summary>
public sealed record AdminOptions
{
    public string Address { get; init; } = "127.0.0.1:9900";

    /// <summary>File holding the bearer token callers off loopback must present.</summary>
    public string? TokenFile { get; init; }
}

namespace Appliance.Core.Configuration;

/// <summary>
/// Layer-4 (TCP) balancing: listeners that forward whole connections to the backends of a pool.
/// Both maps are keyed by id (compared case-insensitively, as YARP's ids are).
/// </summary>
public sealed record TcpOptions
{
    /// <summary>Addresses to accept connections on, each forwarding to one pool.</summary>
    public IReadOnlyDictionary<string, TcpListenerOptions> Listeners { get; init; } =
        new Dictionary<string, TcpListenerOptions>();

    /// <summary>Groups of backends with their balancing, health and limits.</summary>
    public IReadOnlyDictionary<string, TcpPoolOptions> Pools { get; init; } =
        new Dictionary<string, TcpPoolOptions>();
}

/// <summary>One TCP listener: an address:port whose connections are forwarded to a pool.</summary>
public sealed record TcpListenerOptions
{
    /// <summary><c>host:port</c> as for HTTP listeners, e.g. <c>10.0.0.100:5432</c>, <c>[::]:25</c>, <c>*:3306</c>.</summary>
    public string Address { get; init; } = "";

    /// <summary>Id of the pool under <c>Tcp.Pools</c> that serves this listener.</summary>
    public string Pool { get; init; } = "";

    /// <summary>
    /// Bind with IP_FREEBIND, so the listener can bind an address this node does not hold yet
    /// (a VIP it may take over later). On by default.
    /// </summary>
    public bool FreeBind { get; init; } = true;

    /// <summary>Most connections this listener forwards at once on this node; 0 means no limit.</summary>
    public int MaxConnections { get; init; }

    /// <summary>Where accepted connections wait while the listener is at <see cref="MaxConnections"/>; a MaxLength of 0 refuses them at once.</summary>
    public QueueOptions Queue { get; init; } = new();

    /// <summary>A connection with no data in either direction for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>On shutdown or removal, how long open connections may still run before they are cut.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Accept a PROXY protocol (v1 or v2) header from trusted fronts; absent means never parse one.</summary>
    public TcpAcceptProxyProtocolOptions? AcceptProxyProtocol { get; init; }
}

/// <summary>Reading the PROXY protocol header that a trusted front (another balancer) puts before the client's bytes.</summary>
public sealed record TcpAcceptProxyProtocolOptions
{
    /// <summary>
    /// Addresses or CIDR networks of the fronts. Connections from them must start with a PROXY v1 or v2
    /// header, whose addresses then stand for the client; connections from anyone else are taken as direct
    /// clients and their bytes are forwarded untouched.
    /// </summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];

    /// <summary>How long a trusted front may take to send the complete header before the connection is closed.</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

namespace Appliance.Core.Configuration;

/// <summary>One entry of the <c>Vips</c> section: a virtual IP that moves between the balancer nodes.</summary>
public sealed record VipOptions
{
    /// <summary>The address with its prefix length, e.g. "198.18.0.10/24" or "2001:db8::10/64".</summary>
    public string Address { get; init; } = "";

    /// <summary>The interface the address is put on, e.g. "eth0".</summary>
    public string Interface { get; init; } = "";

    /// <summary>Priority 1..255 per node name; the reachable Up node with the highest one holds the VIP. Unlisted nodes never do.</summary>
    public IReadOnlyDictionary<string, int> Priorities { get; init; } = new Dictionary<string, int>();

    /// <summary>Whether a better-priority node takes the VIP back from a live holder (keepalived's default, true).</summary>
    public bool Preempt { get; init; } = true;

    /// <summary>How long a better node must stay better before it preempts (lets a returning node settle first).</summary>
    public TimeSpan PreemptDelay { get; init; } = TimeSpan.Zero;

    /// <summary>What lowers this node's priority for the VIP when it fails.</summary>
    public VipTrackOptions Track { get; init; } = new();

    /// <summary>Gratuitous ARP / unsolicited NA bursts at takeover.</summary>
    public GarpOptions Garp { get; init; } = new();
}

/// <summary>Tracked things for one VIP. A failing one lowers the node's priority by its weight; weight 0 puts the node in fault.</summary>
public sealed record VipTrackOptions
{
    public IReadOnlyList<TrackInterfaceOptions> Interfaces { get; init; } = [];

    public IReadOnlyList<TrackPoolOptions> Pools { get; init; } = [];

    public TrackScriptOptions? Script { get; init; }
}

/// <summary>An interface that must be up (e.g. the uplink).</summary>
public sealed record TrackInterfaceOptions
{
    public string Name { get; init; } = "";

    public int Weight { get; init; }
}

/// <summary>A backend pool that must have at least one healthy backend: an HTTP cluster or a TCP pool (exactly one of the two).</summary>
public sealed record TrackPoolOptions
{
    /// <summary>An id of <c>ReverseProxy.Clusters</c>.</summary>
    public string Cluster { get; init; } = "";

    /// <summary>An id of <c>Tcp.Pools</c>.</summary>
    public string TcpPool { get; init; } = "";

    public int Weight { get; init; }
}

/// <summary>A command whose exit code 0 means healthy (e.g. a gateway ping), judged with rise/fall as in keepalived.</summary>
public sealed record TrackScriptOptions
{
    public string Path { get; init; } = "";

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    public int Rise { get; init; } = 2;

    public int Fall { get; init; } = 2;

    public int Weight { get; init; }
}

/// <summary>Announcement bursts (defaults as keepalived's garp_master_repeat 5, with 100 ms spacing and a second burst after 5 s).</summary>
public sealed record GarpOptions
{
    public int Count { get; init; } = 5;

    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>From the first burst to the second; zero sends one burst only.</summary>
    public TimeSpan SecondBurstDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Rate limit: the least time between two announcements on one interface.</summary>
    public TimeSpan MinSpacing { get; init; } = TimeSpan.FromMilliseconds(10);
}

namespace Appliance.Cluster.Transport;

/// <summary>Tuning of <see cref="TcpClusterTransport"/>. The defaults suit a LAN appliance cluster.</summary>
public sealed record TcpTransportOptions
{
    /// <summary>The cluster port when the configuration names none.</summary>
    public const int DefaultPort = 7946;

    /// <summary>Largest accepted value of a frame's length field, in bytes (4 KiB..64 MiB). The same on every node.</summary>
    public int MaxFrameSize { get; init; } = FrameFormat.DefaultMaxFrameSize;

    /// <summary>Messages waiting per peer; beyond it the oldest gossip (else the oldest message) is dropped.</summary>
    public int SendQueueCapacity { get; init; } = 1024;

    /// <summary>Received messages waiting for the consumer; beyond it the oldest heartbeat or gossip is dropped.</summary>
    public int IncomingCapacity { get; init; } = 1024;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A peer that accepts no bytes for this long gets its connection closed and reopened.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First reconnect delay; it doubles (with jitter) up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An inbound connection that completes no frame for this long is closed (the sender reconnects when it has something to say).</summary>
    public TimeSpan InboundIdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Inbound connections open at once; more are closed on accept. Each holds at most one frame's
    /// bytes, so this times <see cref="MaxFrameSize"/> bounds what unauthenticated peers can make us buffer.
    /// </summary>
    public int MaxInboundConnections { get; init; } = 128;

    /// <summary>Sender incarnations whose last sequence number is remembered for replay protection.</summary>
    public int ReplayWindowSenders { get; init; } = ReplayWindow.DefaultCapacity;

    /// <summary>Rejections are logged at most once per remote address per this interval (all are counted).</summary>
    public TimeSpan RejectionLogInterval { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameSize, FrameFormat.SmallestMaxFrameSize, nameof(MaxFrameSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxFrameSize, FrameFormat.LargestMaxFrameSize, nameof(MaxFrameSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(SendQueueCapacity, 1, nameof(SendQueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(IncomingCapacity, 1, nameof(IncomingCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInboundConnections, 1, nameof(MaxInboundConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReplayWindowSenders, 1, nameof(ReplayWindowSenders));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(WriteTimeout, TimeSpan.Zero, nameof(WriteTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(InboundIdleTimeout, TimeSpan.Zero, nameof(InboundIdleTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReconnectMinDelay, TimeSpan.Zero, nameof(ReconnectMinDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectMaxDelay, ReconnectMinDelay, nameof(ReconnectMaxDelay));
    }
}

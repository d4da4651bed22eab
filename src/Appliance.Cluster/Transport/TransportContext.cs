using Appliance.Core.Security;
using Microsoft.Extensions.Logging;

namespace Appliance.Cluster.Transport;

/// <summary>What the transport's connections share: settings, key, counters, clock, log, and the frame sequence.</summary>
internal sealed class TransportContext
{
    private long _sequence;

    public TransportContext(TcpTransportOptions options, ClusterKey key, TimeProvider time, ILogger logger)
    {
        Options = options;
        Key = key;
        Time = time;
        Logger = logger;
        RejectionLog = new LogThrottle(time, options.RejectionLogInterval);
    }

    public TcpTransportOptions Options { get; }

    public ClusterKey Key { get; }

    public TransportStats Stats { get; } = new();

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    /// <summary>Told when a connection to a peer address is refused (see <see cref="IClusterTransport.Refused"/>).</summary>
    public Action<Membership.NodeAddress>? Refused { get; set; }

    /// <summary>
    /// Called with the sender's address for every accepted frame: a peer that just reached us is
    /// up, so our own connection to it stops backing off (set by the transport).
    /// </summary>
    public Action<Membership.NodeAddress>? PeerHeard { get; set; }

    /// <summary>One line per remote address (or peer) per interval, for rejections and drops.</summary>
    public LogThrottle RejectionLog { get; }

    /// <summary>
    /// Frame sequence numbers: 1, 2, 3... across every connection of this transport. Per peer they
    /// rise strictly, because each peer's frames are numbered by one writer in send order.
    /// </summary>
    public ulong NextSequence() => (ulong)Interlocked.Increment(ref _sequence);
}

using System.Threading.Channels;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;

namespace Appliance.Cluster.Transport;

/// <summary>
/// Moves membership messages between nodes. Sends never block: each peer has a bounded queue and
/// the oldest gossip is dropped first when it is full. Received messages have passed
/// authentication and decoding; everything else was dropped and counted.
/// </summary>
public interface IClusterTransport : IAsyncDisposable
{
    /// <summary>Starts listening (and the outbound machinery).</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Queues a message for a peer. <paramref name="toUid"/> is the incarnation meant, or 0 when unknown.</summary>
    void Send(NodeAddress to, ulong toUid, ClusterMessage message);

    /// <summary>Authenticated, decoded messages in arrival order.</summary>
    ChannelReader<InboundMessage> Incoming { get; }

    /// <summary>Counters for visibility and tests.</summary>
    TransportStats Stats { get; }

    /// <summary>
    /// Raised (on a transport thread) when a peer's host refused a connection: it is up but nothing
    /// listens on that cluster port, so the node's process is gone. Network trouble (loss, delay, a
    /// partition) never causes a refusal, only silence.
    /// </summary>
    event Action<NodeAddress>? Refused;
}

/// <summary>A received message and the incarnation it was addressed to (0 = any).</summary>
public sealed record InboundMessage(ulong ToUid, ClusterMessage Message);

namespace Appliance.Core.Membership;

/// <summary>
/// Early hints from the cluster transport about a peer: its connection closed, or a dial to it
/// failed (refused: no process listens on its port). They come before the failure detector
/// decides anything; they never change a member's status or reachability (only the cluster's
/// failure detector and downing do). No component of the node subscribes in this build (the VIP
/// layer judges liveness from its own adverts, and the downing reads the transport's events
/// itself); the node registers the service and the cluster tests read it.
/// </summary>
public interface IClusterPeerHints
{
    /// <summary>Raised on the transport's threads; handlers must return quickly.</summary>
    event Action<PeerHint>? Hint;
}

/// <summary>What the transport saw of one peer, addressed as <c>host:port</c> (its cluster address).</summary>
public sealed record PeerHint(string Address, PeerHintKind Kind, DateTimeOffset At);

public enum PeerHintKind
{
    /// <summary>An established association with the peer ended.</summary>
    Disassociated,

    /// <summary>A dial to the peer was refused: the host answers, nothing listens.</summary>
    Refused,

    /// <summary>A dial or handshake with the peer failed for another reason (time-out, TLS).</summary>
    AssociationFailed,
}

namespace Appliance.Cluster.Transport;

/// <summary>What became of one received frame; each rejection has its own counter in <see cref="TransportStats"/>.</summary>
internal enum FrameOutcome
{
    Accepted,

    /// <summary>The HMAC did not verify: wrong key, tampering, or a frame cut at the wrong place.</summary>
    RejectedAuth,

    /// <summary>Authentic, but its sequence number is not above the last accepted from that sender.</summary>
    RejectedReplay,

    /// <summary>Too short, unknown version, undecodable payload, or a payload whose sender differs from the header's.</summary>
    RejectedMalformed,

    /// <summary>The length field exceeds the maximum frame size; the frame is never read.</summary>
    RejectedOversized,
}

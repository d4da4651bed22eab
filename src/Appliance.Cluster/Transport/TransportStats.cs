namespace Appliance.Cluster.Transport;

/// <summary>Transport counters (monotonic), readable from any thread.</summary>
public sealed class TransportStats
{
    private long _framesSent;
    private long _framesReceived;
    private long _bytesSent;
    private long _bytesReceived;
    private long _dropped;
    private long _droppedIncoming;
    private long _rejectedAuth;
    private long _rejectedReplay;
    private long _rejectedMalformed;
    private long _rejectedOversized;
    private long _replicaBytesSent;
    private long _replicaBytesReceived;

    public long FramesSent => Interlocked.Read(ref _framesSent);
    public long FramesReceived => Interlocked.Read(ref _framesReceived);
    public long BytesSent => Interlocked.Read(ref _bytesSent);
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Messages dropped from a full send queue (or too large for one frame).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Received messages dropped because the consumer of <see cref="IClusterTransport.Incoming"/> lagged.</summary>
    public long DroppedIncoming => Interlocked.Read(ref _droppedIncoming);

    /// <summary>Frames whose HMAC did not verify (wrong or missing cluster key, tampering).</summary>
    public long RejectedAuth => Interlocked.Read(ref _rejectedAuth);

    /// <summary>Frames whose sequence number was not above the last one seen from that incarnation.</summary>
    public long RejectedReplay => Interlocked.Read(ref _rejectedReplay);

    /// <summary>Frames that authenticated but did not decode.</summary>
    public long RejectedMalformed => Interlocked.Read(ref _rejectedMalformed);

    /// <summary>Frames announcing a length above the maximum.</summary>
    public long RejectedOversized => Interlocked.Read(ref _rejectedOversized);

    /// <summary>Bytes of replicated-state frames (deltas, digests, repairs, full syncs), part of <see cref="BytesSent"/>.</summary>
    public long ReplicaBytesSent => Interlocked.Read(ref _replicaBytesSent);

    /// <summary>Bytes of accepted replicated-state frames, part of <see cref="BytesReceived"/>.</summary>
    public long ReplicaBytesReceived => Interlocked.Read(ref _replicaBytesReceived);

    public long Rejected => RejectedAuth + RejectedReplay + RejectedMalformed + RejectedOversized;

    public void Sent(int bytes) { Interlocked.Increment(ref _framesSent); Interlocked.Add(ref _bytesSent, bytes); }
    public void Received(int bytes) { Interlocked.Increment(ref _framesReceived); Interlocked.Add(ref _bytesReceived, bytes); }
    public void ReplicaSent(long bytes) => Interlocked.Add(ref _replicaBytesSent, bytes);
    public void ReplicaReceived(int bytes) => Interlocked.Add(ref _replicaBytesReceived, bytes);
    public void Drop() => Interlocked.Increment(ref _dropped);
    public void DropIncoming() => Interlocked.Increment(ref _droppedIncoming);
    public void AuthFailed() => Interlocked.Increment(ref _rejectedAuth);
    public void Replayed() => Interlocked.Increment(ref _rejectedReplay);
    public void Malformed() => Interlocked.Increment(ref _rejectedMalformed);
    public void Oversized() => Interlocked.Increment(ref _rejectedOversized);
}

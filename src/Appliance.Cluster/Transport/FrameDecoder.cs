using Appliance.Core.Security;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Appliance.Cluster.Replication.Messages;
using Appliance.Cluster.Wire;

namespace Appliance.Cluster.Transport;

/// <summary>
/// Checks received frames, in this order: length (before anything is read), HMAC, version, sequence
/// against replay, payload decoding, header sender = message sender; the sequence is recorded only
/// for a frame that passed everything. Each outcome is counted in <see cref="TransportStats"/>.
/// Never throws on any input. Thread-safe (the replay window locks; the rest is stateless).
/// </summary>
internal sealed class FrameDecoder
{
    private readonly ClusterKey _key;
    private readonly ReplayWindow _replay;
    private readonly TransportStats _stats;

    public FrameDecoder(ClusterKey key, int maxFrameSize, ReplayWindow replay, TransportStats stats)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameSize, FrameFormat.MinBodyLength);
        _key = key;
        MaxFrameSize = maxFrameSize;
        _replay = replay;
        _stats = stats;
    }

    /// <summary>The largest value of the length field accepted.</summary>
    public int MaxFrameSize { get; }

    /// <summary>Checks a length field before its frame is read; a refused length means the connection must close.</summary>
    public FrameOutcome CheckLength(uint length, out string? detail)
    {
        if (length > (uint)MaxFrameSize)
        {
            _stats.Oversized();
            detail = $"length field {length} exceeds the maximum frame size {MaxFrameSize}";
            return FrameOutcome.RejectedOversized;
        }

        if (length < FrameFormat.MinBodyLength)
        {
            _stats.Malformed();
            detail = $"length field {length} is below the {FrameFormat.MinBodyLength}-byte minimum";
            return FrameOutcome.RejectedMalformed;
        }

        detail = null;
        return FrameOutcome.Accepted;
    }

    /// <summary>Decodes a whole frame, length field included, that must fill <paramref name="frame"/> exactly.</summary>
    public FrameOutcome DecodeFrame(ReadOnlySpan<byte> frame, out InboundMessage? message, out string? detail)
    {
        message = null;
        if (frame.Length < FrameFormat.LengthSize)
        {
            _stats.Malformed();
            detail = $"{frame.Length} bytes cannot hold a length field";
            return FrameOutcome.RejectedMalformed;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(frame);
        var check = CheckLength(length, out detail);
        if (check != FrameOutcome.Accepted)
        {
            return check;
        }

        if (frame.Length - FrameFormat.LengthSize != length)
        {
            _stats.Malformed();
            detail = $"length field says {length} bytes, {frame.Length - FrameFormat.LengthSize} follow";
            return FrameOutcome.RejectedMalformed;
        }

        return DecodeBody(frame[FrameFormat.LengthSize..], out message, out detail);
    }

    /// <summary>Decodes the bytes after an accepted length field (<see cref="CheckLength"/> already counted nothing for them).</summary>
    public FrameOutcome DecodeBody(ReadOnlySpan<byte> body, out InboundMessage? message, out string? detail)
    {
        message = null;
        if (body.Length is < FrameFormat.MinBodyLength || body.Length > MaxFrameSize)
        {
            _stats.Malformed();
            detail = $"frame body of {body.Length} bytes is outside {FrameFormat.MinBodyLength}..{MaxFrameSize}";
            return FrameOutcome.RejectedMalformed;
        }

        Span<byte> mac = stackalloc byte[FrameFormat.MacSize];
        FrameCodec.ComputeMac(_key.Span, body[..^FrameFormat.MacSize], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, body[^FrameFormat.MacSize..]))
        {
            _stats.AuthFailed();
            detail = "HMAC does not verify (wrong cluster key, or the frame was altered)";
            return FrameOutcome.RejectedAuth;
        }

        var version = body[FrameFormat.VersionOffset];
        if (version != FrameFormat.Version)
        {
            _stats.Malformed();
            detail = $"frame version {version} is not supported (this node speaks {FrameFormat.Version})";
            return FrameOutcome.RejectedMalformed;
        }

        var sender = BinaryPrimitives.ReadUInt64BigEndian(body[FrameFormat.SenderOffset..]);
        var sequence = BinaryPrimitives.ReadUInt64BigEndian(body[FrameFormat.SequenceOffset..]);
        var to = BinaryPrimitives.ReadUInt64BigEndian(body[FrameFormat.ToOffset..]);
        if (!_replay.IsFresh(sender, sequence))
        {
            return Replayed(sender, sequence, out detail);
        }

        var payload = body[FrameFormat.HeaderSize..^FrameFormat.MacSize];
        if (!WireCodec.TryDecode(payload, out var decoded, out var error))
        {
            _stats.Malformed();
            detail = "payload does not decode: " + error;
            return FrameOutcome.RejectedMalformed;
        }

        if (decoded.From.Uid != sender)
        {
            _stats.Malformed();
            detail = $"header sender {sender:x16} differs from the message's sender {decoded.From.Uid:x16}";
            return FrameOutcome.RejectedMalformed;
        }

        if (!_replay.TryAdvance(sender, sequence))
        {
            return Replayed(sender, sequence, out detail);
        }

        _stats.Received(body.Length + FrameFormat.LengthSize);
        if (ReplicaMessages.Is(decoded))
        {
            _stats.ReplicaReceived(body.Length + FrameFormat.LengthSize);
        }
        message = new InboundMessage(to, decoded);
        detail = null;
        return FrameOutcome.Accepted;
    }

    private FrameOutcome Replayed(ulong sender, ulong sequence, out string detail)
    {
        _stats.Replayed();
        detail = $"sequence {sequence} from {sender:x16} is not above the last accepted ({_replay.Highest(sender)})";
        return FrameOutcome.RejectedReplay;
    }
}

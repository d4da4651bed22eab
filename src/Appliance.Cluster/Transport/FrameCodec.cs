using System.Buffers.Binary;
using System.Security.Cryptography;
using Google.Protobuf;

namespace Appliance.Cluster.Transport;

/// <summary>Writes frames (see <see cref="FrameFormat"/>). Stateless; the caller picks sequence numbers.</summary>
internal static class FrameCodec
{
    /// <summary>Writes a frame whose payload is <paramref name="payload"/>, encoded in place. Returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> key, ulong sender, ulong sequence, ulong to, IMessage payload, int payloadLength)
    {
        var total = FrameFormat.FrameLength(payloadLength);
        var frame = destination[..total];
        WriteHeader(frame, sender, sequence, to, payloadLength);
        payload.WriteTo(frame.Slice(FrameFormat.LengthSize + FrameFormat.HeaderSize, payloadLength));
        Sign(frame, key);
        return total;
    }

    /// <summary>A whole frame around raw payload bytes (tests and tools; the transport encodes in place).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> key, ulong sender, ulong sequence, ulong to, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[FrameFormat.FrameLength(payload.Length)];
        WriteHeader(frame, sender, sequence, to, payload.Length);
        payload.CopyTo(frame.AsSpan(FrameFormat.LengthSize + FrameFormat.HeaderSize));
        Sign(frame, key);
        return frame;
    }

    /// <summary>HMAC-SHA256 of a frame body (everything after the length field, HMAC excluded).</summary>
    public static void ComputeMac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> signedPart, Span<byte> mac) =>
        HMACSHA256.HashData(key, signedPart, mac);

    private static void WriteHeader(Span<byte> frame, ulong sender, ulong sequence, ulong to, int payloadLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(FrameFormat.MinBodyLength + payloadLength));
        var body = frame[FrameFormat.LengthSize..];
        body[FrameFormat.VersionOffset] = FrameFormat.Version;
        BinaryPrimitives.WriteUInt64BigEndian(body[FrameFormat.SenderOffset..], sender);
        BinaryPrimitives.WriteUInt64BigEndian(body[FrameFormat.SequenceOffset..], sequence);
        BinaryPrimitives.WriteUInt64BigEndian(body[FrameFormat.ToOffset..], to);
    }

    private static void Sign(Span<byte> frame, ReadOnlySpan<byte> key)
    {
        var body = frame[FrameFormat.LengthSize..];
        ComputeMac(key, body[..^FrameFormat.MacSize], body[^FrameFormat.MacSize..]);
    }
}

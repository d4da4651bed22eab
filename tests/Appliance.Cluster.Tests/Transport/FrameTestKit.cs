using Appliance.Core.Security;
using System.Buffers.Binary;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Transport;
using Appliance.Cluster.Wire;

namespace Appliance.Tests.Transport;

/// <summary>Keys, frames and decoders for frame-level tests.</summary>
internal static class FrameTestKit
{
    public static readonly ClusterKey Key = ClusterKey.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
    public static readonly ClusterKey OtherKey = ClusterKey.FromBytes(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());

    public static readonly UniqueAddress Sender = new(new NodeAddress("10.0.0.1", 7946), 0x0102030405060708);

    public static FrameDecoder Decoder(TransportStats stats, ClusterKey? key = null, int maxFrameSize = 1 << 20) =>
        new(key ?? Key, maxFrameSize, new ReplayWindow(), stats);

    public static byte[] Frame(ClusterMessage message, ulong sequence, ulong to = 0, ClusterKey? key = null, ulong? sender = null) =>
        FrameCodec.Encode((key ?? Key).Span, sender ?? message.From.Uid, sequence, to, WireCodec.Encode(message));

    /// <summary>Recomputes the HMAC (and keeps the length field) after a test edited the body on purpose.</summary>
    public static byte[] Resign(byte[] frame, ClusterKey? key = null)
    {
        var body = frame.AsSpan(FrameFormat.LengthSize);
        FrameCodec.ComputeMac((key ?? Key).Span, body[..^FrameFormat.MacSize], body[^FrameFormat.MacSize..]);
        return frame;
    }

    public static void SetLength(byte[] frame, uint length) => BinaryPrimitives.WriteUInt32BigEndian(frame, length);
}

using System.Diagnostics.CodeAnalysis;
using System.Text;
using Appliance.Cluster.Messages;
using Google.Protobuf;
using P = Appliance.Cluster.Wire.Proto;

namespace Appliance.Cluster.Wire;

/// <summary>
/// <see cref="ClusterMessage"/> to and from the protobuf payload of a frame (Protos/cluster.proto).
/// Encoding a message the node built cannot fail; decoding never throws: untrusted bytes either
/// become a message that passed every check in <see cref="WireDecoder"/>, or an error saying what
/// was wrong and where.
/// </summary>
internal static class WireCodec
{
    /// <summary>The wire form of a message, ready for <c>CalculateSize</c> and <c>WriteTo</c>.</summary>
    public static P.Envelope ToEnvelope(ClusterMessage message) => WireEncoder.ToEnvelope(message);

    public static byte[] Encode(ClusterMessage message) => WireEncoder.ToEnvelope(message).ToByteArray();

    public static bool TryDecode(
        ReadOnlySpan<byte> payload,
        [NotNullWhen(true)] out ClusterMessage? message,
        [NotNullWhen(false)] out string? error)
    {
        P.Envelope envelope;
        try
        {
            envelope = P.Envelope.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            return Fail("not a valid protobuf Envelope: " + e.Message, out message, out error);
        }
        catch (DecoderFallbackException)
        {
            return Fail("a string field is not valid UTF-8", out message, out error);
        }

        return TryDecode(envelope, out message, out error);
    }

    public static bool TryDecode(
        P.Envelope envelope,
        [NotNullWhen(true)] out ClusterMessage? message,
        [NotNullWhen(false)] out string? error)
    {
        var decoder = new WireDecoder();
        message = decoder.Decode(envelope);
        error = decoder.Error;
        if (message is null || error is not null)
        {
            message = null;
            error ??= "not decodable";
            return false;
        }

        return true;
    }

    private static bool Fail(string text, out ClusterMessage? message, out string? error)
    {
        message = null;
        error = text;
        return false;
    }
}

namespace Appliance.Cluster.Transport;

/// <summary>
/// The frame layout (docs/cluster.md, "Transport and security"):
/// <c>[u32 length of rest, big-endian][u8 version = 1][u64 sender uid][u64 sequence][u64 to uid][payload][32-byte HMAC-SHA256]</c>.
/// The HMAC covers everything after the length field, up to the HMAC itself.
/// </summary>
internal static class FrameFormat
{
    public const byte Version = 1;
    public const int LengthSize = 4;
    public const int VersionOffset = 0;
    public const int SenderOffset = 1;
    public const int SequenceOffset = 9;
    public const int ToOffset = 17;
    public const int HeaderSize = 25;
    public const int MacSize = 32;

    /// <summary>Shortest legal value of the length field: a header and an HMAC around an empty payload.</summary>
    public const int MinBodyLength = HeaderSize + MacSize;

    /// <summary>Default bound on the length field (1 MiB).</summary>
    public const int DefaultMaxFrameSize = 1 << 20;

    /// <summary>Bounds on the configurable maximum: room for real gossip, yet no way to ask for gigabytes.</summary>
    public const int SmallestMaxFrameSize = 4 * 1024;
    public const int LargestMaxFrameSize = 64 << 20;

    /// <summary>Bytes on the wire, length field included, for a payload of <paramref name="payloadLength"/> bytes.</summary>
    public static int FrameLength(int payloadLength) => LengthSize + MinBodyLength + payloadLength;
}

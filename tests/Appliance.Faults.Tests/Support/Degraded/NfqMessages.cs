using System.Buffers.Binary;

namespace Appliance.Tests.Support.Degraded;

/// <summary>
/// The few nfnetlink_queue messages the <see cref="PacketDelayer"/> speaks (linux/netfilter/nfnetlink_queue.h).
/// A message is a netlink header (host byte order), an nfgenmsg (family, version, queue number in
/// network byte order), then attributes whose values nfqueue keeps in network byte order. Pure:
/// bytes in, bytes out, so every field is pinned by a unit test.
/// </summary>
internal static class NfqMessages
{
    /// <summary>NFNL_SUBSYS_QUEUE, the high byte of the netlink message type.</summary>
    public const int Subsystem = 3;

    public const ushort TypePacket = (Subsystem << 8) | 0;   // NFQNL_MSG_PACKET: kernel -> us
    public const ushort TypeVerdict = (Subsystem << 8) | 1;  // NFQNL_MSG_VERDICT: us -> kernel
    public const ushort TypeConfig = (Subsystem << 8) | 2;   // NFQNL_MSG_CONFIG: us -> kernel

    public const ushort NlmsgError = 2;
    public const ushort NlmFRequest = 0x1;
    public const ushort NlmFAck = 0x4;

    public const ushort AttrConfigCommand = 1;   // NFQA_CFG_CMD: struct nfqnl_msg_config_cmd
    public const ushort AttrConfigParams = 2;    // NFQA_CFG_PARAMS: struct nfqnl_msg_config_params
    public const ushort AttrConfigMaxLength = 3; // NFQA_CFG_QUEUE_MAXLEN: __be32
    public const ushort AttrConfigMask = 4;      // NFQA_CFG_MASK: __be32, which flags to change
    public const ushort AttrConfigFlags = 5;     // NFQA_CFG_FLAGS: __be32
    public const ushort AttrPacketHeader = 1;    // NFQA_PACKET_HDR: struct nfqnl_msg_packet_hdr
    public const ushort AttrVerdictHeader = 2;   // NFQA_VERDICT_HDR: struct nfqnl_msg_verdict_hdr

    public const byte CommandBind = 1;   // NFQNL_CFG_CMD_BIND
    public const byte CommandUnbind = 2; // NFQNL_CFG_CMD_UNBIND
    public const byte CopyMeta = 1;      // NFQNL_COPY_META: the packet's metadata, none of its bytes
    public const uint FlagFailOpen = 1;  // NFQA_CFG_F_FAIL_OPEN: a full queue accepts instead of dropping
    public const uint VerdictAccept = 1; // NF_ACCEPT

    private const int HeaderLength = 16 + 4; // nlmsghdr + nfgenmsg

    /// <summary>
    /// Binds this socket to <paramref name="queue"/>, asks for metadata only (the packet id is all
    /// the delayer needs), bounds the queue at <paramref name="maxLength"/> packets and makes a full
    /// queue fail open, in one acknowledged message.
    /// </summary>
    public static byte[] Bind(ushort queue, uint maxLength, int seq)
    {
        var m = new byte[HeaderLength + 8 + 12 + 8 + 8 + 8];
        var s = m.AsSpan();
        var at = Header(s, TypeConfig, NlmFRequest | NlmFAck, seq, queue);
        at = Attribute(s, at, AttrConfigCommand, [CommandBind, 0, 0, 0]); // command, pad, pf (unused since Linux 3.8)
        Span<byte> parameters = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(parameters, 0); // copy range: no payload bytes
        parameters[4] = CopyMeta;
        at = Attribute(s, at, AttrConfigParams, parameters);
        at = Attribute(s, at, AttrConfigMaxLength, BigEndian(maxLength));
        at = Attribute(s, at, AttrConfigMask, BigEndian(FlagFailOpen));
        at = Attribute(s, at, AttrConfigFlags, BigEndian(FlagFailOpen));
        return at == m.Length ? m : throw new InvalidOperationException($"bind message is {at} bytes, expected {m.Length}");
    }

    /// <summary>Unbinds from <paramref name="queue"/> (the kernel then lets the rule's bypass accept its packets).</summary>
    public static byte[] Unbind(ushort queue, int seq)
    {
        var m = new byte[HeaderLength + 8];
        var s = m.AsSpan();
        var at = Header(s, TypeConfig, NlmFRequest | NlmFAck, seq, queue);
        Attribute(s, at, AttrConfigCommand, [CommandUnbind, 0, 0, 0]);
        return m;
    }

    /// <summary>Size of one <see cref="WriteVerdict"/> message.</summary>
    public const int VerdictLength = HeaderLength + 12;

    /// <summary>Writes NF_ACCEPT for packet <paramref name="id"/> into <paramref name="into"/> (several can share one datagram).</summary>
    public static void WriteVerdict(Span<byte> into, ushort queue, uint id, int seq)
    {
        var at = Header(into[..VerdictLength], TypeVerdict, NlmFRequest, seq, queue);
        Span<byte> verdict = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(verdict, VerdictAccept);
        BinaryPrimitives.WriteUInt32BigEndian(verdict[4..], id);
        Attribute(into, at, AttrVerdictHeader, verdict);
    }

    /// <summary>What one received datagram held: packet ids to hold, and acknowledgements or errors (errno, 0 = success).</summary>
    public static void Parse(ReadOnlySpan<byte> data, List<uint> packetIds, List<int> errors)
    {
        while (data.Length >= 16)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
            if (length < 16 || length > data.Length)
            {
                return; // truncated or garbage: nothing more in this datagram can be trusted
            }

            var type = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
            var body = data[16..length];
            if (type == NlmsgError && body.Length >= 4)
            {
                errors.Add(-BinaryPrimitives.ReadInt32LittleEndian(body));
            }
            else if (type == TypePacket && body.Length >= 4 && PacketId(body[4..]) is { } id)
            {
                packetIds.Add(id);
            }

            data = data[Math.Min(Align(length), data.Length)..];
        }
    }

    private static uint? PacketId(ReadOnlySpan<byte> attributes)
    {
        while (attributes.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) & 0x3fff; // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
            if (length < 4 || length > attributes.Length)
            {
                return null;
            }

            if (type == AttrPacketHeader && length >= 4 + 4)
            {
                return BinaryPrimitives.ReadUInt32BigEndian(attributes[4..]);
            }

            attributes = attributes[Math.Min(Align(length), attributes.Length)..];
        }

        return null;
    }

    internal static int Align(int n) => (n + 3) & ~3;

    private static byte[] BigEndian(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return b;
    }

    private static int Header(Span<byte> s, ushort type, ushort flags, int seq, ushort queue)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)s.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(s[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], (uint)seq);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], 0); // port id: the kernel
        s[16] = 0; // AF_UNSPEC
        s[17] = 0; // NFNETLINK_V0
        BinaryPrimitives.WriteUInt16BigEndian(s[18..], queue);
        return HeaderLength;
    }

    private static int Attribute(Span<byte> s, int at, ushort type, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(s[at..], (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(s[(at + 2)..], type);
        value.CopyTo(s[(at + 4)..]);
        s.Slice(at + 4 + value.Length, Align(4 + value.Length) - 4 - value.Length).Clear();
        return at + Align(4 + value.Length);
    }
}

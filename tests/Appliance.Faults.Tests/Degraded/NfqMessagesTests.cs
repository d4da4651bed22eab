using System.Buffers.Binary;
using Appliance.Tests.Support.Degraded;

namespace Appliance.Tests.Degraded;

/// <summary>The nfnetlink_queue messages of the packet delayer, byte for byte (linux/netfilter/nfnetlink_queue.h).</summary>
[Trait("Category", "Faults")]
public sealed class NfqMessagesTests
{
    [Fact]
    public void Bind_HeaderCommandParamsMaxLengthAndFailOpen()
    {
        var m = NfqMessages.Bind(queue: 0x0102, maxLength: 4096, seq: 7);

        Assert.Equal(
            "40000000" + "0203" + "0500" + "07000000" + "00000000" // nlmsghdr: 64 bytes, QUEUE|CONFIG, REQUEST|ACK, seq 7, to the kernel
            + "00" + "00" + "0102"                                   // nfgenmsg: AF_UNSPEC, v0, queue 0x0102 big-endian
            + "0800" + "0100" + "01000000"                           // NFQA_CFG_CMD: BIND, pad, pf 0
            + "0900" + "0200" + "00000000" + "01" + "000000"          // NFQA_CFG_PARAMS: copy range 0, COPY_META, padding
            + "0800" + "0300" + "00001000"                           // NFQA_CFG_QUEUE_MAXLEN 4096, big-endian
            + "0800" + "0400" + "00000001"                           // NFQA_CFG_MASK: FAIL_OPEN
            + "0800" + "0500" + "00000001",                          // NFQA_CFG_FLAGS: FAIL_OPEN
            Convert.ToHexString(m).ToLowerInvariant());
    }

    [Fact]
    public void Unbind_CommandTwo()
    {
        var m = NfqMessages.Unbind(queue: 3, seq: 1);

        Assert.Equal("1c000000" + "0203" + "0500" + "01000000" + "00000000" + "0000" + "0003" + "0800" + "0100" + "02000000",
            Convert.ToHexString(m).ToLowerInvariant());
    }

    [Fact]
    public void Verdict_AcceptThePacketId_SeveralShareADatagram()
    {
        var batch = new byte[2 * NfqMessages.VerdictLength];
        NfqMessages.WriteVerdict(batch, queue: 0, id: 0x01020304, seq: 9);
        NfqMessages.WriteVerdict(batch.AsSpan(NfqMessages.VerdictLength), queue: 0, id: 5, seq: 10);

        var first = Convert.ToHexString(batch.AsSpan(0, NfqMessages.VerdictLength)).ToLowerInvariant();
        Assert.Equal("20000000" + "0103" + "0100" + "09000000" + "00000000" + "0000" + "0000" // 32 bytes, QUEUE|VERDICT, REQUEST, seq 9
            + "0c00" + "0200" + "00000001" + "01020304", first);                             // NFQA_VERDICT_HDR: NF_ACCEPT, id
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32BigEndian(batch.AsSpan(NfqMessages.VerdictLength + 28)));
    }

    [Fact]
    public void Parse_PacketMessages_IdsInOrder_AttributeFlagsIgnored()
    {
        var data = Packet([Attribute(5, [0, 0, 0, 2]), Attribute(1 | 0x4000, [0, 0, 0, 42, 8, 0, 1])])
            .Concat(Packet([Attribute(1, [0, 0, 0, 7, 8, 0, 1])])).ToArray();
        var ids = new List<uint>();
        var errors = new List<int>();

        NfqMessages.Parse(data, ids, errors);

        Assert.Equal([42u, 7u], ids);
        Assert.Empty(errors);
    }

    [Fact]
    public void Parse_AckAndError_ErrnoPositive()
    {
        var data = Message(NfqMessages.NlmsgError, [0, 0, 0, 0]).Concat(Message(NfqMessages.NlmsgError, BitConverter.GetBytes(-16))).ToArray();
        var errors = new List<int>();

        NfqMessages.Parse(data, [], errors);

        Assert.Equal([0, 16], errors);
    }

    [Fact]
    public void Parse_PacketWithoutHeaderAttribute_Ignored()
    {
        var ids = new List<uint>();

        NfqMessages.Parse(Packet([Attribute(10, [1, 2, 3, 4])]), ids, []);

        Assert.Empty(ids);
    }

    [Fact]
    public void Parse_RandomAndMutatedBytes_NeverThrows()
    {
        var random = new Random(20261121);
        var valid = Packet([Attribute(1, [0, 0, 0, 9, 8, 0, 1])]).Concat(Message(NfqMessages.NlmsgError, [0, 0, 0, 0])).ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = i % 2 == 0 ? new byte[random.Next(0, 96)] : (byte[])valid.Clone();
            if (i % 2 == 0)
            {
                random.NextBytes(bytes);
            }
            else
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var ids = new List<uint>();
            NfqMessages.Parse(bytes, ids, []);
            Assert.True(ids.Count <= bytes.Length / 16, $"{ids.Count} ids from {bytes.Length} bytes");
        }
    }

    [Fact]
    public void Parse_TruncatedPacket_StopsWithoutReadingPastTheEnd()
    {
        var packet = Packet([Attribute(1, [0, 0, 0, 9, 8, 0, 1])]);
        for (var cut = 0; cut < packet.Length; cut++)
        {
            var ids = new List<uint>();
            NfqMessages.Parse(packet.AsSpan(0, cut), ids, []);
            Assert.Empty(ids);
        }
    }

    private static byte[] Packet(byte[][] attributes) => Message(NfqMessages.TypePacket, [0, 0, 0, 0, .. attributes.SelectMany(a => a)]);

    private static byte[] Attribute(ushort type, byte[] value)
    {
        var a = new byte[NfqMessages.Align(4 + value.Length)];
        BinaryPrimitives.WriteUInt16LittleEndian(a, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(a.AsSpan(2), type);
        value.CopyTo(a, 4);
        return a;
    }

    private static byte[] Message(ushort type, byte[] body)
    {
        var m = new byte[NfqMessages.Align(16 + body.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(m, (uint)(16 + body.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(4), type);
        body.CopyTo(m, 16);
        return m;
    }
}

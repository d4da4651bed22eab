using System.Buffers.Binary;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Transport;
using Appliance.Tests.Wire;
using static Appliance.Tests.Transport.FrameTestKit;

namespace Appliance.Tests.Transport;

public sealed class FrameDecoderTests
{
    private readonly TransportStats _stats = new();

    [Fact]
    public void DecodeFrame_ValidFrame_AcceptedWithMessageAndTarget()
    {
        var message = new Heartbeat(Sender, 42);
        var frame = Frame(message, sequence: 1, to: 0xAABB);

        var outcome = Decoder(_stats).DecodeFrame(frame, out var inbound, out var detail);

        Assert.Equal(FrameOutcome.Accepted, outcome);
        Assert.Null(detail);
        Assert.Equal(0xAABBUL, inbound!.ToUid);
        Assert.Equal(WireDescription.Of(message), WireDescription.Of(inbound.Message));
        Assert.Equal(1, _stats.FramesReceived);
        Assert.Equal(frame.Length, _stats.BytesReceived);
        Assert.Equal(0, _stats.Rejected);
    }

    [Fact]
    public void DecodeFrame_EverySingleBitFlipped_RejectedByLengthOrAuth()
    {
        var frame = Frame(new Leave(Sender), sequence: 7);
        var decoder = Decoder(_stats);

        for (var bit = 0; bit < frame.Length * 8; bit++)
        {
            var copy = (byte[])frame.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));

            var outcome = decoder.DecodeFrame(copy, out var message, out _);

            Assert.Null(message);
            var expected = bit < 32
                ? (outcome is FrameOutcome.RejectedMalformed or FrameOutcome.RejectedOversized)
                : outcome == FrameOutcome.RejectedAuth;
            Assert.True(expected, $"bit {bit}: {outcome}");
        }

        Assert.Equal(frame.Length * 8, _stats.Rejected);
        Assert.Equal((frame.Length - 4) * 8, _stats.RejectedAuth);
        Assert.Equal(0, _stats.FramesReceived);
    }

    [Fact]
    public void DecodeFrame_WrongKey_RejectedAuth()
    {
        var frame = Frame(new Leave(Sender), sequence: 1, key: OtherKey);

        var outcome = Decoder(_stats).DecodeFrame(frame, out var message, out var detail);

        Assert.Equal(FrameOutcome.RejectedAuth, outcome);
        Assert.Null(message);
        Assert.Contains("HMAC", detail, StringComparison.Ordinal);
        Assert.Equal(1, _stats.RejectedAuth);
    }

    [Fact]
    public void DecodeFrame_SameFrameTwice_SecondRejectedAsReplay()
    {
        var decoder = Decoder(_stats);
        var frame = Frame(new Heartbeat(Sender, 1), sequence: 5);

        Assert.Equal(FrameOutcome.Accepted, decoder.DecodeFrame(frame, out _, out _));
        Assert.Equal(FrameOutcome.RejectedReplay, decoder.DecodeFrame(frame, out var message, out var detail));

        Assert.Null(message);
        Assert.Contains("not above the last accepted (5)", detail, StringComparison.Ordinal);
        Assert.Equal(1, _stats.RejectedReplay);
    }

    [Fact]
    public void DecodeFrame_OlderSequenceAfterNewer_RejectedAsReplay()
    {
        var decoder = Decoder(_stats);

        Assert.Equal(FrameOutcome.Accepted, decoder.DecodeFrame(Frame(new Heartbeat(Sender, 1), sequence: 10), out _, out _));
        Assert.Equal(FrameOutcome.RejectedReplay, decoder.DecodeFrame(Frame(new Heartbeat(Sender, 2), sequence: 9), out _, out _));
        Assert.Equal(FrameOutcome.Accepted, decoder.DecodeFrame(Frame(new Heartbeat(Sender, 3), sequence: 11), out _, out _));
        Assert.Equal(1, _stats.RejectedReplay);
        Assert.Equal(2, _stats.FramesReceived);
    }

    [Fact]
    public void DecodeFrame_SequenceZero_RejectedAsReplay()
    {
        Assert.Equal(FrameOutcome.RejectedReplay, Decoder(_stats).DecodeFrame(Frame(new Leave(Sender), sequence: 0), out _, out _));
    }

    [Fact]
    public void DecodeFrame_SameSequenceFromAnotherIncarnation_Accepted()
    {
        var decoder = Decoder(_stats);
        var restarted = Sender with { Uid = Sender.Uid + 1 };

        Assert.Equal(FrameOutcome.Accepted, decoder.DecodeFrame(Frame(new Leave(Sender), sequence: 3), out _, out _));
        Assert.Equal(FrameOutcome.Accepted, decoder.DecodeFrame(Frame(new Leave(restarted), sequence: 3), out _, out _));
    }

    [Fact]
    public void DecodeFrame_RejectedFrame_DoesNotAdvanceTheSequence()
    {
        var decoder = Decoder(_stats);
        var undecodable = Resign(FrameCodec.Encode(Key.Span, Sender.Uid, 50, 0, [0xFF, 0xFF]));

        Assert.Equal(FrameOutcome.RejectedMalformed, decoder.DecodeFrame(undecodable, out _, out _));
        Assert.Equal(FrameOutcome.Accepted, decoder.DecodeFrame(Frame(new Leave(Sender), sequence: 2), out _, out _));
    }

    [Theory]
    [InlineData(uint.MaxValue)]
    [InlineData(0x8000_0000u)]
    [InlineData((1u << 20) + 1)]
    public void DecodeFrame_OversizedLengthPrefix_RejectedWithoutAllocatingIt(uint length)
    {
        var decoder = Decoder(_stats);
        var frame = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(frame, length);
        decoder.DecodeFrame(frame, out _, out _); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        var outcome = decoder.DecodeFrame(frame, out var message, out var detail);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(FrameOutcome.RejectedOversized, outcome);
        Assert.Null(message);
        Assert.Contains("exceeds the maximum frame size", detail, StringComparison.Ordinal);
        Assert.True(allocated < 4096, $"allocated {allocated} bytes");
        Assert.Equal(2, _stats.RejectedOversized);
    }

    [Fact]
    public void CheckLength_AtMaximum_AcceptedOneAbove_Oversized()
    {
        var decoder = Decoder(_stats, maxFrameSize: 4096);

        Assert.Equal(FrameOutcome.Accepted, decoder.CheckLength(4096, out _));
        Assert.Equal(FrameOutcome.RejectedOversized, decoder.CheckLength(4097, out _));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(56u)]
    public void CheckLength_BelowHeaderAndMac_Malformed(uint length)
    {
        Assert.Equal(FrameOutcome.RejectedMalformed, Decoder(_stats).CheckLength(length, out var detail));
        Assert.Contains("below the 57-byte minimum", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeFrame_HeaderSenderDiffersFromMessageSender_Malformed()
    {
        var frame = Frame(new Heartbeat(Sender, 1), sequence: 1, sender: Sender.Uid + 1);

        var outcome = Decoder(_stats).DecodeFrame(frame, out var message, out var detail);

        Assert.Equal(FrameOutcome.RejectedMalformed, outcome);
        Assert.Null(message);
        Assert.Contains("differs from the message's sender", detail, StringComparison.Ordinal);
        Assert.Equal(1, _stats.RejectedMalformed);
    }

    [Fact]
    public void DecodeFrame_AuthenticButUnknownVersion_Malformed()
    {
        var frame = Frame(new Leave(Sender), sequence: 1);
        frame[4] = 2;

        var outcome = Decoder(_stats).DecodeFrame(Resign(frame), out _, out var detail);

        Assert.Equal(FrameOutcome.RejectedMalformed, outcome);
        Assert.Equal("frame version 2 is not supported (this node speaks 1)", detail);
    }

    [Fact]
    public void DecodeFrame_AuthenticButInvalidMessage_MalformedWithDecoderError()
    {
        var frame = Frame(new Leave(Sender with { Address = Sender.Address with { Port = 0 } }), sequence: 1);

        var outcome = Decoder(_stats).DecodeFrame(frame, out _, out var detail);

        Assert.Equal(FrameOutcome.RejectedMalformed, outcome);
        Assert.Equal("payload does not decode: leave.from.address.port must be 1..65535 (got 0)", detail);
    }

    [Fact]
    public void DecodeFrame_LengthFieldDisagreesWithBytes_Malformed()
    {
        var frame = Frame(new Leave(Sender), sequence: 1);

        Assert.Equal(FrameOutcome.RejectedMalformed, Decoder(_stats).DecodeFrame(frame[..^1], out _, out _));
        Assert.Equal(FrameOutcome.RejectedMalformed, Decoder(_stats).DecodeFrame([.. frame, 0], out _, out _));
    }

    [Fact]
    public void Encode_FixedInputs_GoldenFrameBytes()
    {
        // Key 00 01 .. 1F; the HMAC was computed independently (Python hmac) over bytes 4..29.
        var frame = FrameCodec.Encode(Key.Span, 0x0102030405060708, 1, 0x1112131415161718, [0xAA]);

        Assert.Equal(
            "0000003A" + "01" + "0102030405060708" + "0000000000000001" + "1112131415161718" + "AA"
            + "037F193CFE4F33D793CA6A82DB736ED1B7447066678D1DE30484BF09E6E2C5AF",
            Convert.ToHexString(frame));
    }
}

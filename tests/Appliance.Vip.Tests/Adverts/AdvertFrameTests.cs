using System.Text;
using Appliance.Vip.Adverts;

namespace Appliance.Tests.Adverts;

public sealed class AdvertFrameTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static readonly AdvertFrameContent Stand = new("lb1", 1_700_000_000_000, 42, Vips:
    [
        new VipClaim("198.18.1.200/24", true, 0, false, null),
        new VipClaim("2001:db8::200/64", false, 30, true, "lb2"),
    ]);

    [Fact]
    public void Encode_Stand_IsTheDocumentedBytes()
    {
        // Golden bytes (docs/vips.md, "Advert frame"): a change here is a change of the wire,
        // which needs a new version byte. The trailing 32 bytes are the HMAC under Key.
        var frame = AdvertFrame.Encode(Stand, Key);

        Assert.Equal(
            "564101" // "VA", version 1
            + "0880d095ffbc31" + "102a" + "1a036c6231" // incarnation, sequence 42, sender "lb1"
            + "2232" // stand, 50 bytes
            + "0a130a0f3139382e31382e312e3230302f32341001" // 198.18.1.200/24, held
            + "0a1b0a10323030313a6462383a3a3230302f3634181e20012a036c6232", // 2001:db8::200/64, penalty 30, releasing to lb2
            Convert.ToHexStringLower(frame[..^AdvertFrame.MacLength]));
        Assert.Equal(System.Security.Cryptography.HMACSHA256.HashData(Key, frame[..^AdvertFrame.MacLength]), frame[^AdvertFrame.MacLength..]);
    }

    private static readonly AdvertFrameContent[] Contents =
    [
        Stand,
        new("lb1", 1, 1, Vips: []),
        new("lb2", 7, 9, Move: new MoveRequest(5, "198.18.1.200/24", "lb3")),
        new("lb2", 7, 10, Move: new MoveRequest(6, "198.18.1.200/24", null)),
        new("lb3", 8, 11, Answer: new MoveAnswer(5, "lb3 is in fault")),
        new("lb3", 8, 12, Answer: new MoveAnswer(6, null)),
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Decode_OfEncode_IsTheContent(int index)
    {
        var content = Contents[index];
        var verdict = AdvertFrame.TryDecode(AdvertFrame.Encode(content, Key), Key, out var back, out var detail);

        Assert.Equal(AdvertRejection.None, verdict);
        Assert.Null(detail);
        Assert.Equal(content.Sender, back!.Sender);
        Assert.Equal((content.Incarnation, content.Sequence), (back.Incarnation, back.Sequence));
        Assert.Equal(content.Vips, back.Vips);
        Assert.Equal(content.Move, back.Move);
        Assert.Equal(content.Answer, back.Answer);
    }

    [Fact]
    public void Decode_UnderAnotherKey_IsASignatureRejection()
    {
        var other = Key.Select(b => (byte)(b ^ 0x5a)).ToArray();

        Assert.Equal(AdvertRejection.Signature, AdvertFrame.TryDecode(AdvertFrame.Encode(Stand, Key), other, out var content, out _));
        Assert.Null(content);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(34)]
    [InlineData(AdvertFrame.MaxLength + 1)]
    public void Decode_OutOfBoundsLength_IsASizeRejection(int length) =>
        Assert.Equal(AdvertRejection.Size, AdvertFrame.TryDecode(new byte[length], Key, out _, out _));

    [Fact]
    public void Decode_OtherMagicOrVersion_SaysSo()
    {
        var frame = AdvertFrame.Encode(Stand, Key);
        var magic = (byte[])frame.Clone();
        magic[0] = (byte)'X';
        var version = (byte[])frame.Clone();
        version[2] = 2;

        Assert.Equal(AdvertRejection.Magic, AdvertFrame.TryDecode(magic, Key, out _, out _));
        Assert.Equal(AdvertRejection.Version, AdvertFrame.TryDecode(version, Key, out _, out var detail));
        Assert.Contains("version 2", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_SignedButOutOfBounds_IsMalformed()
    {
        // A peer with the key but another encoder: every bound is still checked after the signature.
        var body = new Appliance.Vip.Adverts.Wire.AdvertBody { Incarnation = 1, Sequence = 1, Sender = "lb1", Stand = new() };
        body.Stand.Vips.Add(new Appliance.Vip.Adverts.Wire.Claim { Vip = "v", Penalty = 5000 });

        Assert.Equal(AdvertRejection.Malformed, AdvertFrame.TryDecode(Signed(body), Key, out var content, out var detail));
        Assert.Null(content);
        Assert.Equal("VIP entry 0", detail);

        var noBody = new Appliance.Vip.Adverts.Wire.AdvertBody { Incarnation = 1, Sequence = 1, Sender = "lb1" };
        Assert.Equal(AdvertRejection.Malformed, AdvertFrame.TryDecode(Signed(noBody), Key, out _, out _));
        var zero = new Appliance.Vip.Adverts.Wire.AdvertBody { Incarnation = 1, Sequence = 0, Sender = "lb1", Stand = new() };
        Assert.Equal(AdvertRejection.Malformed, AdvertFrame.TryDecode(Signed(zero), Key, out _, out _));
        Assert.Equal(AdvertRejection.Malformed, AdvertFrame.TryDecode(Signed([0xff, 0xff, 0xff]), Key, out _, out _));
    }

    [Fact]
    public void Encode_ContentPastItsBounds_Throws()
    {
        Assert.Throws<ArgumentException>(() => AdvertFrame.Encode(new("", 1, 1, Vips: []), Key));
        Assert.Throws<ArgumentException>(() => AdvertFrame.Encode(new(new string('x', 65), 1, 1, Vips: []), Key));
        Assert.Throws<ArgumentException>(() => AdvertFrame.Encode(new("lb1", 1, 1, Vips: [new VipClaim("v", true, 1001, false, null)]), Key));
        Assert.Throws<ArgumentException>(() => AdvertFrame.Encode(new("lb1", 1, 1, Vips: [.. Enumerable.Range(0, 65).Select(i => new VipClaim($"v{i}", true, 0, false, null))]), Key));
        Assert.Throws<ArgumentException>(() => AdvertFrame.Encode(new("lb1", 1, 1), Key));
    }

    [Fact]
    public void Decode_100000MutatedFrames_EachRejectedCleanly()
    {
        // Flips, truncations, extensions and overwrites of valid frames: none may throw, none
        // may pass (the signature covers every byte), and each lands in a counted rejection.
        var random = new Random(16);
        var frames = Contents.Select(c => AdvertFrame.Encode(c, Key)).ToArray();
        var counts = new Dictionary<AdvertRejection, int>();
        for (var i = 0; i < 100_000; i++)
        {
            var original = frames[i % frames.Length];
            var mutated = Mutate(original, random);
            if (mutated.AsSpan().SequenceEqual(original))
            {
                continue;
            }

            var verdict = AdvertFrame.TryDecode(mutated, Key, out var content, out _);
            Assert.NotEqual(AdvertRejection.None, verdict);
            Assert.Null(content);
            counts[verdict] = counts.GetValueOrDefault(verdict) + 1;
        }

        Assert.True(counts.GetValueOrDefault(AdvertRejection.Signature) > 50_000, string.Join(", ", counts));
    }

    private static byte[] Mutate(byte[] frame, Random random)
    {
        var f = (byte[])frame.Clone();
        switch (random.Next(4))
        {
            case 0:
                f[random.Next(f.Length)] ^= (byte)(1 << random.Next(8));
                return f;
            case 1:
                return f[..random.Next(f.Length)];
            case 2:
                return [.. f, .. Enumerable.Range(0, random.Next(1, 40)).Select(_ => (byte)random.Next(256))];
            default:
                for (var n = random.Next(1, 8); n > 0; n--)
                {
                    f[random.Next(f.Length)] = (byte)random.Next(256);
                }

                return f;
        }
    }

    private static byte[] Signed(Appliance.Vip.Adverts.Wire.AdvertBody body) => Signed(Google.Protobuf.MessageExtensions.ToByteArray(body));

    private static byte[] Signed(byte[] body)
    {
        byte[] signed = [(byte)'V', (byte)'A', AdvertFrame.Version, .. body];
        return [.. signed, .. System.Security.Cryptography.HMACSHA256.HashData(Key, signed)];
    }
}

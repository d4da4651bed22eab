using System.Text;
using Appliance.Proxy.Forwarding;
using Appliance.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Appliance.Tests.Forwarding;

public sealed class ChunkedDecoderTests
{
    /// <summary>Feeds the wire bytes in pieces of the given sizes; returns the decoded body, the final step and the bytes left after Done.</summary>
    private static (byte[] Body, ChunkStep Last, int Leftover) Decode(byte[] wire, IReadOnlyList<int> pieces)
    {
        var decoder = new ChunkedDecoder();
        var body = new List<byte>();
        var pending = new List<byte>();
        var offset = 0;
        var piece = 0;
        var last = ChunkStep.NeedMore;
        while (true)
        {
            if (pending.Count == 0)
            {
                if (offset >= wire.Length)
                {
                    return (body.ToArray(), last, 0);
                }

                var size = Math.Max(1, pieces.Count == 0 ? wire.Length : pieces[piece++ % pieces.Count]);
                size = Math.Min(size, wire.Length - offset);
                pending.AddRange(wire.AsSpan(offset, size).ToArray());
                offset += size;
            }

            var input = pending.ToArray();
            last = decoder.Step(input, out var consumed, out var dataOffset, out var dataLength);
            if (last == ChunkStep.Data)
            {
                body.AddRange(input.AsSpan(dataOffset, dataLength).ToArray());
            }

            pending.RemoveRange(0, consumed);
            if (last is ChunkStep.Done or ChunkStep.Invalid)
            {
                return (body.ToArray(), last, pending.Count + (wire.Length - offset));
            }
        }
    }

    private static byte[] Wire(string text) => Encoding.Latin1.GetBytes(text);

    [Fact]
    public void Step_TwoChunksAndTrailer_YieldsTheDataAndStopsAtTheEnd()
    {
        var (body, last, leftover) = Decode(Wire("5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\nNEXT"), []);

        Assert.Equal(ChunkStep.Done, last);
        Assert.Equal("hello, world", Encoding.Latin1.GetString(body));
        Assert.Equal(4, leftover); // "NEXT" belongs to whatever follows
    }

    [Theory]
    [InlineData("g\r\n")]
    [InlineData("\r\n")]
    [InlineData("5\nhello\r\n0\r\n\r\n")]
    [InlineData("5\r\nhelloXY0\r\n\r\n")]
    [InlineData("1000000000000000\r\n")]
    [InlineData("0\r\nTrailer\n\r\n")]
    [InlineData("-1\r\n")]
    public void Step_NotChunkedCoding_IsInvalid(string wire)
    {
        Assert.Equal(ChunkStep.Invalid, Decode(Wire(wire), []).Last);
    }

    [Fact]
    public void Step_EndlessChunkExtension_IsCutOff()
    {
        var wire = Wire("5;" + new string('x', ChunkedDecoder.MaxLineLength + 10) + "\r\nhello\r\n0\r\n\r\n");
        Assert.Equal(ChunkStep.Invalid, Decode(wire, []).Last);
    }

    [Fact]
    public void Step_EndlessTrailer_IsCutOff()
    {
        var wire = Wire("0\r\nX: " + new string('x', ChunkedDecoder.MaxTrailerLength + 10) + "\r\n\r\n");
        Assert.Equal(ChunkStep.Invalid, Decode(wire, []).Last);
    }

    [Fact]
    public void Step_AnyBodyAnyChunkingAnySplit_RoundTrips()
    {
        // Encode random data with random chunk sizes, feed it in random pieces: the decoder yields
        // exactly the data and ends exactly at the end of the message.
        var cases =
            from data in Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i))
            from sizes in Gen.NonEmptyListOf(Gen.Choose(1, 40))
            from pieces in Gen.NonEmptyListOf(Gen.Choose(1, 17))
            from upper in Gen.Elements(true, false)
            select (data, sizes, pieces, upper);

        PropertyCheck.Run(Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var wire = new List<byte>();
            var at = 0;
            var i = 0;
            while (at < c.data.Length)
            {
                var size = Math.Min(c.sizes[i++ % c.sizes.Count], c.data.Length - at);
                wire.AddRange(Encoding.ASCII.GetBytes(size.ToString(c.upper ? "X" : "x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n"));
                wire.AddRange(c.data.AsSpan(at, size).ToArray());
                wire.AddRange("\r\n"u8.ToArray());
                at += size;
            }

            wire.AddRange("0\r\n\r\n"u8.ToArray());
            var (body, last, leftover) = Decode(wire.ToArray(), c.pieces);
            return last == ChunkStep.Done && leftover == 0 && body.AsSpan().SequenceEqual(c.data);
        }));
    }
}

using System.Text;
using Appliance.Proxy.LoadBalancing;

namespace Appliance.Tests.LoadBalancing;

public sealed class StableHashTests
{
    // Golden values: every node of a cluster must map a key to the same backend, including nodes
    // running another build. If one of these changes, mixed-version clusters disagree on routing.
    [Theory]
    [InlineData("", 0xEFD01F60BA992926UL)]
    [InlineData("a", 0x82A2A958A9BECE5BUL)]
    [InlineData("key-0", 0x18137AD031DB6589UL)]
    [InlineData("key-1", 0xA002E14B20BB64ECUL)]
    [InlineData("backend-1", 0xEFE7CA5B895E9A23UL)]
    [InlineData("10.0.0.1", 0xC879E56DDC6C5C88UL)]
    [InlineData("héllo wörld", 0xC9908FBAE14AE724UL)]
    [InlineData("日本語のキー", 0xD24095FDFEF341EDUL)]
    [InlineData("😀", 0xDA89B0991F06F386UL)]
    public void Of_KnownStrings_GoldenValues(string text, ulong expected) =>
        Assert.Equal(expected, StableHash.Of(text));

    [Fact]
    public void Of_LongAsciiString_GoldenValue()
    {
        var text = string.Concat(Enumerable.Range(0, 30).Select(i => "seg" + i)); // 140 chars: three chunks

        Assert.Equal(0xF83DE1DCD5CD8AC1UL, StableHash.Of(text));
    }

    [Fact]
    public void Of_SurrogatePairAcrossChunkBoundary_GoldenValue()
    {
        var text = "x" + string.Concat(Enumerable.Repeat("😀", 40)); // a pair at chars 63-64

        Assert.Equal(0x836C8EB21C739AFDUL, StableHash.Of(text));
    }

    [Theory]
    [InlineData("a", 63)]
    [InlineData("a", 64)]
    [InlineData("a", 65)]
    [InlineData("a", 300)]
    [InlineData("é", 200)]
    [InlineData("日本", 150)]
    [InlineData("😀", 100)]
    [InlineData("x😀", 100)]
    [InlineData("ab😀", 100)]
    public void Of_LongOrNonAsciiString_EqualsHashOfItsUtf8Bytes(string unit, int repeat)
    {
        var text = string.Concat(Enumerable.Repeat(unit, repeat));

        Assert.Equal(StableHash.Of(Encoding.UTF8.GetBytes(text)), StableHash.Of(text));
    }

    [Fact]
    public void Of_StringsDifferingOnlyInAPairAtChunkBoundary_Differ()
    {
        // Chars 63-64 hold the pair that differs; a chunker that split it would turn both halves
        // into U+FFFD and make the two keys collide.
        var prefix = "x" + string.Concat(Enumerable.Repeat("😀", 31));
        var suffix = string.Concat(Enumerable.Repeat("😀", 8));

        Assert.NotEqual(StableHash.Of(prefix + "😀" + suffix), StableHash.Of(prefix + "😁" + suffix));
    }

    [Fact]
    public void Of_ReadOnlySpanOfChars_SameAsString()
    {
        const string text = "prefix/some-session-key/suffix";

        Assert.Equal(StableHash.Of(text), StableHash.Of(text.AsSpan(0, text.Length)));
        Assert.NotEqual(StableHash.Of(text), StableHash.Of(text.AsSpan(0, text.Length - 1)));
    }
}

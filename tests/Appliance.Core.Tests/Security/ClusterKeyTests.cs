using Appliance.Core.Security;

namespace Appliance.Tests.Security;

public sealed class ClusterKeyTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cluster-key-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_directory, "cluster.key");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void TryLoad_Base64Of32BytesWithNewline_Loaded()
    {
        var bytes = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        var path = Write(Convert.ToBase64String(bytes) + "\n");

        Assert.True(ClusterKey.TryLoad(path, out var key, out var error), error);

        Assert.Equal(32, key.Length);
        Assert.True(key.SameAs(ClusterKey.FromBytes(bytes)));
    }

    [Fact]
    public void TryLoad_WrappedBase64OfLongKey_Loaded()
    {
        var text = Convert.ToBase64String(new byte[96], Base64FormattingOptions.InsertLineBreaks);

        Assert.True(ClusterKey.TryLoad(Write(text), out var key, out _));
        Assert.Equal(96, key.Length);
    }

    [Fact]
    public void TryLoad_MissingFile_SaysHowToCreateOne()
    {
        var path = Path.Combine(_directory, "absent.key");

        Assert.False(ClusterKey.TryLoad(path, out var key, out var error));

        Assert.Null(key);
        Assert.Contains($"'{path}' does not exist", error, StringComparison.Ordinal);
        Assert.Contains("head -c 32 /dev/urandom | base64 > " + path, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryLoad_ShortKey_SaysHowManyBytes()
    {
        Assert.False(ClusterKey.TryLoad(Write(Convert.ToBase64String(new byte[16])), out _, out var error));

        Assert.Contains("decodes to 16 bytes; at least 32 are needed", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    public void TryLoad_EmptyFile_Refused(string text)
    {
        Assert.False(ClusterKey.TryLoad(Write(text), out _, out var error));
        Assert.Contains("is empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryLoad_NotBase64_RefusedWithoutEchoingTheContent()
    {
        const string Secret = "this-is-not-base64-but-secret!!";

        Assert.False(ClusterKey.TryLoad(Write(Secret), out _, out var error));

        Assert.Contains("not valid base64", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryLoad_HugeFile_RefusedUnread()
    {
        Assert.False(ClusterKey.TryLoad(Write(new string('A', 100_000)), out _, out var error));
        Assert.Contains("more than the 65536 allowed", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryLoad_Directory_RefusedWithReason()
    {
        Assert.False(ClusterKey.TryLoad(_directory, out _, out var error));
        Assert.Contains(_directory, error, StringComparison.Ordinal);
    }

    [Fact]
    public void FromBytes_TooShort_Throws()
    {
        Assert.Throws<ArgumentException>(() => ClusterKey.FromBytes(new byte[31]));
    }

    [Fact]
    public void ToString_NeverShowsTheBytes()
    {
        var key = ClusterKey.FromBytes(Enumerable.Repeat((byte)0xAB, 32).ToArray());

        Assert.Equal("ClusterKey(32 bytes, redacted)", key.ToString());
    }

    [Fact]
    public void Derive_TwoPurposes_DifferentKeysStableForOneKey()
    {
        var key = ClusterKey.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var again = ClusterKey.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

        var adverts = key.Derive("appliance test purpose a");
        var other = key.Derive("appliance test purpose b");

        Assert.Equal(32, adverts.Length);
        Assert.Equal(adverts, again.Derive("appliance test purpose a"));
        Assert.NotEqual(adverts, other);
        Assert.NotEqual(adverts, ClusterKey.Generate().Derive("appliance test purpose a"));
    }
}

using Appliance.Node.Hosting.Systemd;

namespace Appliance.Tests.Hosting;

/// <summary>Journal output is used only when standard output really is the journal's socket.</summary>
public sealed class JournalStreamTests
{
    [Theory]
    [InlineData("8:12345", "socket:[12345]", true)]
    [InlineData("8:12345", "socket:[12346]", false)] // inherited variable, output elsewhere
    [InlineData("8:12345", "/dev/pts/0", false)]
    [InlineData(null, "socket:[12345]", false)]
    [InlineData("garbage", "socket:[12345]", false)]
    [InlineData("8:", "socket:[]", false)]
    [InlineData("8:12345", null, false)]
    public void Matches_OnlyTheSameSocketInode(string? variable, string? link, bool expected)
    {
        Assert.Equal(expected, JournalStream.Matches(variable, link));
    }
}

using Appliance.Core.Configuration;

namespace Appliance.Tests.Configuration;

public sealed class StatusRangesTests
{
    [Theory]
    [InlineData("200-399", 200, true)]
    [InlineData("200-399", 399, true)]
    [InlineData("200-399", 400, false)]
    [InlineData("200-399", 199, false)]
    [InlineData("200,204", 204, true)]
    [InlineData("200,204", 203, false)]
    [InlineData(" 200 , 301 - 302 ", 302, true)]
    public void Contains_ParsedRanges_MatchesStatus(string text, int status, bool expected) =>
        Assert.Equal(expected, StatusRanges.Parse(text).Contains(status));

    [Theory]
    [InlineData("", "no status codes")]
    [InlineData("700", "'700'")]
    [InlineData("99", "'99'")]
    [InlineData("200-", "'200-'")]
    [InlineData("2xx", "'2xx'")]
    [InlineData("200,,204", "''")]
    [InlineData("399-200", "runs backwards")]
    public void TryParse_Invalid_ExplainsWhy(string text, string reason)
    {
        Assert.False(StatusRanges.TryParse(text, out var ranges, out var error));
        Assert.Null(ranges);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_MixedCodesAndRanges_IsCanonical() =>
        Assert.Equal("200-299,304", StatusRanges.Parse("200 - 299, 304").ToString());

    [Fact]
    public void Default_IsSuccessAndRedirects() =>
        Assert.Equal("200-399", StatusRanges.Default.ToString());

    [Fact]
    public void Parse_Invalid_Throws() =>
        Assert.Throws<FormatException>(() => StatusRanges.Parse("600"));
}

using System.Text.Json;

namespace Appliance.Proxy.Tests.Configuration;

/// <summary>HTTP versions written as YARP's documentation writes them.</summary>
public sealed class HttpVersionJsonConverterTests
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new HttpVersionJsonConverter() } };

    [Theory]
    [InlineData("\"2\"", 2, 0)]
    [InlineData("\"2.0\"", 2, 0)]
    [InlineData("\"1.1\"", 1, 1)]
    [InlineData("\"1.0\"", 1, 0)]
    [InlineData("\"3\"", 3, 0)]
    [InlineData("2", 2, 0)]
    [InlineData("1.1", 1, 1)]
    public void ReadsWhatYarpReads(string json, int major, int minor) =>
        Assert.Equal(new Version(major, minor), JsonSerializer.Deserialize<Version>(json, Options));

    [Theory]
    [InlineData("\"1.2\"")]
    [InlineData("\"4\"")]
    [InlineData("\"two\"")]
    [InlineData("\"\"")]
    [InlineData("true")]
    [InlineData("{}")]
    public void RefusesWhatIsNoHttpVersion(string json)
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Version>(json, Options));
        Assert.Contains("HTTP version", error.Message, StringComparison.Ordinal);
    }
}

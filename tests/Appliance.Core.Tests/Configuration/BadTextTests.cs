using System.Text;
using Appliance.Core.Configuration;

namespace Appliance.Tests.Configuration;

/// <summary>Files with bytes that are not UTF-8, and references when nothing is defined to refer to.</summary>
public sealed class BadTextTests : IDisposable
{
    private const string Good = """
        {
          "Node": { "Name": "NODE" },
          "Listeners": [ { "Name": "web", "Address": "127.0.0.1:18080" } ],
          "ReverseProxy": {
            "Routes": { "ROUTE": { "ClusterId": "web", "Match": { "Path": "/{**rest}" } } },
            "Clusters": { "web": { "Destinations": { "b1": { "Address": "http://127.0.0.1:18081/" } } } }
          }
        }
        """;

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"appliance-badtext-{Guid.NewGuid():N}.json");

    private static string Rendered => Good.Replace("NODE", "lb1", StringComparison.Ordinal).Replace("ROUTE", "api", StringComparison.Ordinal);

    /// <summary>Writes the good file with <paramref name="raw"/> bytes inserted right after <paramref name="after"/>, as a Latin-1 editor would save them.</summary>
    private ConfigLoadResult LoadWithBytes(string after, byte[] raw)
    {
        var text = Rendered;
        var cut = text.IndexOf(after, StringComparison.Ordinal) + after.Length;
        File.WriteAllBytes(_file, [.. Encoding.UTF8.GetBytes(text[..cut]), .. raw, .. Encoding.UTF8.GetBytes(text[cut..])]);
        return ConfigLoader.LoadFile(_file);
    }

    [Fact]
    public void LoadFile_RouteIdWithByteFF_RefusedAtThatRoute()
    {
        var result = LoadWithBytes("\"api", [0xFF]);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("$.ReverseProxy.Routes", error.Path, StringComparison.Ordinal);
        Assert.Contains("api\uFFFD", error.Path, StringComparison.Ordinal);
        Assert.Contains("not UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_NodeNameWithLatin1Byte_RefusedAtNodeName_WithoutRepeatingTheValue()
    {
        var result = LoadWithBytes("\"lb", [0xE9]); // "lbé1" saved as Latin-1

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal("$.Node.Name", error.Path);
        Assert.Contains("not UTF-8", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("lb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_ValidUtf8NonAscii_Loads()
    {
        File.WriteAllText(_file, Good.Replace("NODE", "lbé1", StringComparison.Ordinal).Replace("ROUTE", "café", StringComparison.Ordinal), new UTF8Encoding(false));

        var result = ConfigLoader.LoadFile(_file);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Equal("lbé1", result.Config!.Node.Name);
    }

    [Fact]
    public void Parse_RouteToUnknownClusterWhenNoneExists_SaysToAddIt()
    {
        var json = Rendered
            .Replace("""
            "Clusters": { "web": { "Destinations": { "b1": { "Address": "http://127.0.0.1:18081/" } } } }
            """, "\"Clusters\": { }", StringComparison.Ordinal);

        var result = ConfigLoader.Parse(json);

        var error = Assert.Single(result.Errors);
        Assert.Equal("$.ReverseProxy.Routes.api.ClusterId", error.Path);
        Assert.DoesNotContain("none are defined", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("use one of", error.Message, StringComparison.Ordinal);
        Assert.Contains("no cluster is defined at all: add this one under ReverseProxy.Clusters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BalancingForAClusterWhenNoneExists_SaysToAddIt()
    {
        var json = Rendered
            .Replace("\"ReverseProxy\": {", "\"Balancing\": { \"Clusters\": { \"nope\": { } } }, \"ReverseProxy\": {", StringComparison.Ordinal);

        var error = Assert.Single(ConfigLoader.Parse(json).Errors);

        Assert.Equal("$.Balancing.Clusters.nope", error.Path);
        Assert.Contains("use one of 'web'.", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => File.Delete(_file);
}

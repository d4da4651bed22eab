using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Http;

/// <summary>The JSON access log: one line per request, written off the request path, following reloads.</summary>
public sealed class AccessLogTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private readonly HttpTestHelpers.TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// Route "all" to cluster "web" (backend-1), and route "off" (/off/...) to cluster "off" whose
    /// only backend is in maint, so the balancer itself answers 503.
    /// </summary>
    private static JsonObject Config(Appliance.Node.Demo.DemoBackend backend, string logPath, bool enabled)
    {
        var config = TestConfig.Create(FreePort.Next(), [backend]);
        config["ReverseProxy"]!["Routes"]!["off"] = new JsonObject
        {
            ["ClusterId"] = "off",
            ["Match"] = new JsonObject { ["Path"] = "/off/{**rest}" },
        };
        config["ReverseProxy"]!["Clusters"]!["off"] = new JsonObject
        {
            ["Destinations"] = new JsonObject
            {
                ["parked"] = new JsonObject
                {
                    ["Address"] = backend.Url.ToString(),
                    ["Metadata"] = new JsonObject { ["State"] = "maint" },
                },
            },
        };
        config["AccessLog"] = new JsonObject { ["Enabled"] = enabled, ["Path"] = logPath };
        return config;
    }

    /// <summary>The complete lines written so far (a line still being written is left out).</summary>
    private static List<string> ReadLines(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        var lines = text.Split('\n').ToList();
        lines.RemoveAt(lines.Count - 1); // after the last newline: empty, or a partial line
        return lines;
    }

    private static async Task<List<string>> WaitForLinesAsync(string path, int count)
    {
        List<string> lines = [];
        await HttpTestHelpers.WaitUntilAsync(() => (lines = ReadLines(path)).Count >= count, Deadline, $"{count} access-log lines are written");
        return lines;
    }

    [Fact]
    public async Task AccessLog_Enabled_OneJsonLinePerRequestWithStatusMethodPathBackend()
    {
        var path = _dir.File("access.log");
        await using var backends = await BackendSet.StartAsync(1);
        await using var node = await TestNode.StartAsync(Config(backends[0], path, enabled: true));
        using var client = node.NewClient();

        Assert.Equal(200, (await TestNode.GetAsync(client, "/first?q=1")).Status);
        using (var content = new StringContent("body"))
        using (var posted = await client.PostAsync(new Uri("/second", UriKind.Relative), content))
        {
            Assert.Equal(200, (int)posted.StatusCode);
        }

        Assert.Equal(503, (await TestNode.GetAsync(client, "/off/x")).Status);

        var lines = await WaitForLinesAsync(path, 3);
        Assert.Equal(3, lines.Count);
        var entries = lines.Select(l => JsonSerializer.Deserialize<JsonElement>(l)).ToArray();

        Assert.Equal(("GET", "/first", 200, "backend-1"), Fields(entries[0]));
        Assert.Equal(("POST", "/second", 200, "backend-1"), Fields(entries[1]));
        Assert.Equal(("GET", "/off/x", 503, null), Fields(entries[2]));
        Assert.Equal("all", entries[0].GetProperty("route").GetString());
        Assert.Equal("off", entries[2].GetProperty("route").GetString());
        Assert.False(string.IsNullOrEmpty(entries[2].GetProperty("refused").GetString()));
        Assert.False(entries[0].TryGetProperty("refused", out _));
        Assert.Equal("127.0.0.1", entries[0].GetProperty("client").GetString());
        Assert.True(entries[0].GetProperty("ms").GetDouble() >= 0);
    }

    private static (string? Method, string? Path, int Status, string? Backend) Fields(JsonElement entry) => (
        entry.GetProperty("method").GetString(),
        entry.GetProperty("path").GetString(),
        entry.GetProperty("status").GetInt32(),
        entry.GetProperty("backend").GetString());

    [Fact]
    public async Task AccessLog_ReloadDisabled_NoNewLinesUntilEnabledAgain()
    {
        var path = _dir.File("access.log");
        await using var backends = await BackendSet.StartAsync(1);
        var config = Config(backends[0], path, enabled: true);
        await using var node = await TestNode.StartAsync(config);
        using var client = node.NewClient();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await TestNode.GetAsync(client, $"/before/{i}")).Status);
        }

        Assert.Equal(3, (await WaitForLinesAsync(path, 3)).Count);

        config["AccessLog"]!["Enabled"] = false;
        Assert.Empty(await node.ReloadAsync(config));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await TestNode.GetAsync(client, $"/disabled/{i}")).Status);
        }

        // Lines go through one ordered writer: once a marker sent after re-enabling is in the
        // file, anything logged while disabled would be in front of it.
        config["AccessLog"]!["Enabled"] = true;
        Assert.Empty(await node.ReloadAsync(config));
        Assert.Equal(200, (await TestNode.GetAsync(client, "/marker")).Status);

        var lines = await WaitForLinesAsync(path, 4);
        var paths = lines.Select(l => JsonSerializer.Deserialize<JsonElement>(l).GetProperty("path").GetString()!).ToArray();
        Assert.Equal(new[] { "/before/0", "/before/1", "/before/2", "/marker" }, paths);
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Tests.BadInput;
using Appliance.Tests.Support;

namespace Appliance.Tests.Security;

/// <summary>
/// A client that is not a trusted proxy cannot speak for itself: whatever client-address headers it
/// sends, the backend sees X-Forwarded-For/-Proto/-Host written fresh by the node (replaced, never
/// appended to) and none of the other forwarding headers (RFC 7239 Forwarded, X-Real-IP, ...). From
/// a trusted proxy the client address it reports is believed. Real node process, raw requests.
/// Extends tests/Appliance.Node.Tests/Http/EdgeTests.cs (X-Forwarded-* in process).
/// </summary>
[Trait("Category", "Faults")]
public sealed class ForwardedHeaderTests
{
    private const string Spoofed =
        "X-Forwarded-For: 6.6.6.6\r\n"
        + "X-Forwarded-For: 7.7.7.7, 8.8.8.8\r\n"
        + "X-Forwarded-Host: evil.example\r\n"
        + "X-Forwarded-Proto: gopher\r\n"
        + "X-Forwarded-Prefix: /evil\r\n"
        + "X-Forwarded-Port: 1\r\n"
        + "X-Forwarded-Server: evil\r\n"
        + "X-Real-IP: 6.6.6.6\r\n"
        + "X-Original-For: 6.6.6.6\r\n"
        + "Forwarded: for=6.6.6.6;proto=https;host=evil.example\r\n";

    private static async Task<Dictionary<string, string>> EchoAsync(NodeProcess node)
    {
        var response = await HttpTestHelpers.SendRawAsync(node.HttpPort,
            "GET /echo HTTP/1.1\r\nHost: site.example\r\n" + Spoofed + "Connection: close\r\n\r\n");
        Assert.Equal(200, HttpTestHelpers.StatusOf(response));
        var body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        return JsonSerializer.Deserialize<Dictionary<string, string>>(body)!
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
    }

    private static async Task<(FaultBackend Backend, NodeProcess Node)> StartAsync(Action<JsonObject>? adjust = null)
    {
        var backend = await FaultBackend.StartAsync("backend");
        var config = EdgeNodeFixture.Config(FreePort.Next(), backend);
        adjust?.Invoke(config);
        return (backend, await NodeProcess.StartAsync(config));
    }

    [Fact]
    public async Task UntrustedClient_ForwardingHeadersReplacedOrRemoved_NeverAppended()
    {
        var (backend, node) = await StartAsync();
        await using (backend)
        await using (node)
        {
            var seen = await EchoAsync(node);

            Assert.Equal("127.0.0.1", seen["X-Forwarded-For"]);
            Assert.Equal("site.example", seen["X-Forwarded-Host"]);
            Assert.Equal("http", seen["X-Forwarded-Proto"]);
            foreach (var removed in new[] { "X-Forwarded-Prefix", "X-Forwarded-Port", "X-Forwarded-Server", "X-Real-IP", "X-Original-For", "Forwarded" })
            {
                Assert.False(seen.ContainsKey(removed), $"{removed}: {seen.GetValueOrDefault(removed)} reached the backend");
            }

            Assert.DoesNotContain(seen.Values, v => v.Contains("6.6.6.6", StringComparison.Ordinal) || v.Contains("evil", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task TrustedProxy_ItsClientAddressBelieved_ItsOtherHeadersKept()
    {
        var (backend, node) = await StartAsync(c => c["ForwardedHeaders"] = new JsonObject { ["TrustedProxies"] = new JsonArray("127.0.0.0/8") });
        await using (backend)
        await using (node)
        {
            var seen = await EchoAsync(node);

            // The nearest untrusted address in the chain is the client (8.8.8.8 is the last hop's view).
            Assert.Equal("8.8.8.8", seen["X-Forwarded-For"]);
            Assert.Equal("6.6.6.6", seen["X-Real-IP"]);
        }
    }
}

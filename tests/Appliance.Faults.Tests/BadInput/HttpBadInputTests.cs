using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.BadInput;

/// <summary>
/// Malformed and ambiguous HTTP/1.1 requests, written byte for byte to a real node: request
/// smuggling shapes (CL.TE, TE.CL, duplicate or odd Content-Length, obfuscated Transfer-Encoding,
/// obsolete line folding), invalid methods, targets and versions, bad header syntax, oversized lines.
/// Each must be refused at the edge with the status given, and neither the request (its path is a
/// marker) nor anything smuggled behind it may reach the backend. Extends
/// tests/Appliance.Node.Tests/Http/EdgeTests.cs (in-process, a few shapes) to a real process and the
/// whole catalogue.
/// </summary>
[Trait("Category", "Faults")]
public sealed class HttpBadInputTests(EdgeNodeFixture fixture, ITestOutputHelper output) : IClassFixture<EdgeNodeFixture>
{
    private const string Smuggled = "GET {s} HTTP/1.1\r\nHost: x\r\n\r\n";

    /// <summary>Name, request ({m} is the marker path, {s} the smuggled request's path), acceptable statuses.</summary>
    public static TheoryData<string, string, int[]> Refused => new()
    {
        // Smuggling: two framings, or one framing written so that two parsers may disagree.
        { "cl-te", "POST {m} HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + Smuggled, [400] },
        { "te-cl", "POST {m} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n" + Smuggled, [400] },
        { "te-in-http10", "POST {m} HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + Smuggled, [400] },
        { "te-space-before-colon", "POST {m} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n" + Smuggled, [400] },
        { "te-xchunked", "POST {m} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + Smuggled, [400] },
        { "te-chunked-then-identity", "POST {m} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + Smuggled, [400] },
        { "te-twice", "POST {m} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n" + Smuggled, [400] },
        { "te-vertical-tab", "POST {m} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\u000bchunked\r\n\r\n0\r\n\r\n" + Smuggled, [400] },
        { "cl-twice-different", "POST {m} HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 41\r\n\r\nabcd" + Smuggled, [400] },
        { "cl-twice-same", "POST {m} HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nabcd" + Smuggled, [400] },
        { "cl-list", "POST {m} HTTP/1.1\r\nHost: x\r\nContent-Length: 4, 4\r\n\r\nabcd" + Smuggled, [400] },
        { "cl-negative", "POST {m} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n" + Smuggled, [400] },
        { "cl-hex", "POST {m} HTTP/1.1\r\nHost: x\r\nContent-Length: 0x4\r\n\r\nabcd" + Smuggled, [400] },
        { "cl-overflow", "POST {m} HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n" + Smuggled, [400] },
        { "cl-space-before-colon", "POST {m} HTTP/1.1\r\nHost: x\r\nContent-Length : 4\r\n\r\nabcd" + Smuggled, [400] },
        { "obs-fold", "GET {m} HTTP/1.1\r\nHost: x\r\nX-Folded: first\r\n second\r\n\r\n", [400] },
        { "obs-fold-first-line", "GET {m} HTTP/1.1\r\n Host: x\r\n\r\n", [400] },

        // Header syntax.
        { "bare-cr-in-header", "GET {m} HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n", [400] },
        { "nul-in-header", "GET {m} HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n", [400] },
        { "space-in-header-name", "GET {m} HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n", [400] },
        { "header-without-colon", "GET {m} HTTP/1.1\r\nHost: x\r\nXA\r\n\r\n", [400] },
        { "empty-header-name", "GET {m} HTTP/1.1\r\nHost: x\r\n: b\r\n\r\n", [400] },
        { "no-host", "GET {m} HTTP/1.1\r\n\r\n", [400] },
        { "two-hosts", "GET {m} HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", [400] },
        { "space-in-host", "GET {m} HTTP/1.1\r\nHost: x y\r\n\r\n", [400] },
        { "absolute-form-other-host", "GET http://evil.example{m} HTTP/1.1\r\nHost: x\r\n\r\n", [400] },

        // Methods.
        { "method-with-parenthesis", "G(T {m} HTTP/1.1\r\nHost: x\r\n\r\n", [400] },
        { "method-with-space", "GE T {m} HTTP/1.1\r\nHost: x\r\n\r\n", [400] },
        { "method-not-ascii", "G\u00c9T {m} HTTP/1.1\r\nHost: x\r\n\r\n", [400] },
        { "method-missing", " {m} HTTP/1.1\r\nHost: x\r\n\r\n", [400] },
        { "method-connect", "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\nX-Marker: {m}\r\n\r\n", [405] },

        // Targets and versions.
        { "target-encoded-nul", "GET {m}%00 HTTP/1.1\r\nHost: x\r\n\r\n", [400] },
        { "target-control-character", "GET {m}\u0001 HTTP/1.1\r\nHost: x\r\n\r\n", [400] },
        { "target-delete-character", "GET {m}\u007f HTTP/1.1\r\nHost: x\r\n\r\n", [400] },
        { "target-tab", "GET {m}\tx HTTP/1.1\r\nHost: x\r\n\r\n", [400] },
        { "target-raw-utf8", "GET {m}\u00c3\u00a9 HTTP/1.1\r\nHost: x\r\n\r\n", [400] },
        { "target-without-slash", "GET m{m} HTTP/1.1\r\nHost: x\r\n\r\n", [400, 404, 405] },
        { "target-asterisk-for-get", "GET * HTTP/1.1\r\nHost: x\r\nX-Marker: {m}\r\n\r\n", [400, 405] },
        { "request-line-double-space", "GET  {m} HTTP/1.1\r\nHost: x\r\n\r\n", [400] },
        { "request-line-trailing-space", "GET {m} HTTP/1.1 \r\nHost: x\r\n\r\n", [400] },
        { "version-1.2", "GET {m} HTTP/1.2\r\nHost: x\r\n\r\n", [505] },
        { "version-lower-case", "GET {m} http/1.1\r\nHost: x\r\n\r\n", [400, 505] },
        { "version-0.9", "GET {m}\r\n\r\n", [400] },

        // Sizes: Kestrel's limits as the node sets them (request line 16 KiB, headers 64 KiB, 100 headers).
        { "request-line-20KiB", "GET {m}" + new string('a', 20 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n", [414] },
        { "header-line-70KiB", "GET {m} HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('a', 70 * 1024) + "\r\n\r\n", [431] },
        { "headers-150", "GET {m} HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 150).Select(i => $"X-H{i}: v\r\n")) + "\r\n", [431] },
        { "body-declared-40MB", "POST {m} HTTP/1.1\r\nHost: x\r\nContent-Length: 40000000\r\n\r\nabcd", [413] },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task BadRequest_RefusedAtTheEdge_NothingReachesTheBackend(string name, string request, int[] statuses)
    {
        var marker = "/m-" + name;
        var smuggled = "/smuggled-" + name;
        var bytes = request.Replace("{m}", marker, StringComparison.Ordinal).Replace("{s}", smuggled, StringComparison.Ordinal);

        var response = await HttpTestHelpers.SendRawAsync(fixture.Node.HttpPort, bytes, TimeSpan.FromSeconds(10));
        var status = HttpTestHelpers.StatusOf(response);

        output.WriteLine($"{name}: {response.Split("\r\n")[0]}");
        Assert.True(statuses.Contains(status), $"{name}: expected {string.Join(" or ", statuses)}, got:\n{response[..Math.Min(response.Length, 300)]}");
        Assert.DoesNotContain(fixture.Backend.Paths, p => p.Contains(marker, StringComparison.Ordinal) || p.Contains(smuggled, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BrokenChunkedBody_ClientGets400_BackendNeverGetsAWholeRequestNorTheSmuggledOne()
    {
        // The head of a chunked request is forwarded before its body arrives (bodies stream), so
        // the backend sees the request start and then its body aborted: never a complete request.
        const string Marker = "/m-broken-chunk";
        const string Smuggled = "/smuggled-broken-chunk";
        var request = $"POST {Marker} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\nGET {Smuggled} HTTP/1.1\r\nHost: x\r\n\r\n";

        var response = await HttpTestHelpers.SendRawAsync(fixture.Node.HttpPort, request, TimeSpan.FromSeconds(10));

        Assert.Equal(400, HttpTestHelpers.StatusOf(response));
        await Task.Delay(500); // anything in flight to the backend has arrived or failed by now
        Assert.DoesNotContain(Marker, fixture.Backend.Completed);
        Assert.DoesNotContain(fixture.Backend.Paths, p => p == Smuggled);
    }

    [Fact]
    public async Task ClientBadInput_NeverCountsAgainstTheBackend_PassiveCheckKeepsItUp()
    {
        // Two backend failures in a row would eject it; twenty client mistakes must not.
        for (var i = 0; i < 10; i++)
        {
            await HttpTestHelpers.SendRawAsync(fixture.Node.HttpPort,
                $"POST /m-client-error-{i} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n", TimeSpan.FromSeconds(10));
            await HttpTestHelpers.SendRawAsync(fixture.Node.HttpPort,
                $"CONNECT m-client-error-{i}.example:443 HTTP/1.1\r\nHost: x\r\n\r\n", TimeSpan.FromSeconds(10));
        }

        var backend = await fixture.Node.BackendAsync("web", "backend");
        Assert.Equal("unknown", backend.GetProperty("health").GetProperty("passive").GetString());
        Assert.True(backend.GetProperty("health").GetProperty("available").GetBoolean());
        Assert.Equal(0, backend.GetProperty("errorsTotal").GetInt64());
        var ok = await HttpTestHelpers.SendRawAsync(fixture.Node.HttpPort, "GET /m-after-client-errors HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, HttpTestHelpers.StatusOf(ok));
    }
}

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Http;

/// <summary>
/// TLS termination on a listener: certificate choice by SNI, HTTP/2 by ALPN, the TLS 1.2 floor,
/// and certificate files re-read on reload. Certificates are generated per test.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private readonly HttpTestHelpers.TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed record Site(string Name, string Certificate, string Key, string Thumbprint);

    private Site CreateSite(string name)
    {
        var certificate = _dir.File(name + ".crt");
        var key = _dir.File(name + ".key");
        return new Site(name, certificate, key, HttpTestHelpers.WriteSelfSignedPem(name, certificate, key));
    }

    private static JsonObject TlsConfig(int port, IEnumerable<Appliance.Node.Demo.DemoBackend> backends, params Site[] sites)
    {
        var config = TestConfig.Create(port, backends);
        var certificates = new JsonArray();
        foreach (var site in sites)
        {
            certificates.Add(new JsonObject
            {
                ["Certificate"] = site.Certificate,
                ["Key"] = site.Key,
                ["HostNames"] = new JsonArray(site.Name),
            });
        }

        config["Listeners"]![0]!["Tls"] = new JsonObject { ["Certificates"] = certificates };
        return config;
    }

    /// <summary>
    /// A client that always connects to 127.0.0.1:<paramref name="port"/> whatever the URL's host,
    /// so the URL's host is what goes out as SNI; the server certificate's thumbprint is recorded.
    /// </summary>
    private static HttpClient Client(int port, StrongBox<string?> presented) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port, cancel);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    presented.Value = certificate?.GetCertHashString();
                    return true; // self-signed on purpose; which one is asserted by thumbprint
                },
            },
        })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };

    /// <summary>GET / over a new connection with the given SNI host; returns the presented certificate's thumbprint.</summary>
    private static async Task<string?> PresentedForAsync(int port, string host)
    {
        var presented = new StrongBox<string?>();
        using var client = Client(port, presented);
        using var response = await client.GetAsync(new Uri($"https://{host}:{port}/"));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(response.Headers.Contains("X-Backend"));
        return presented.Value;
    }

    [Fact]
    public async Task Sni_KnownAndUnknownNames_EachGetsItsCertificateUnknownGetsFirst()
    {
        var a = CreateSite("a.test");
        var b = CreateSite("b.test");
        await using var backends = await BackendSet.StartAsync(1);
        var port = FreePort.Next();
        await using var node = await TestNode.StartAsync(TlsConfig(port, backends.All, a, b));

        Assert.Equal(a.Thumbprint, await PresentedForAsync(port, "a.test"));
        Assert.Equal(b.Thumbprint, await PresentedForAsync(port, "b.test"));
        Assert.Equal(b.Thumbprint, await PresentedForAsync(port, "B.TEST"));
        Assert.Equal(a.Thumbprint, await PresentedForAsync(port, "unknown.test"));
        Assert.Equal(a.Thumbprint, await PresentedForAsync(port, "127.0.0.1")); // IP literal: no SNI sent at all
    }

    [Fact]
    public async Task Sni_OrderOfCertificates_FirstIsTheDefault()
    {
        // The same two certificates listed the other way round: the default follows the list.
        var a = CreateSite("a.test");
        var b = CreateSite("b.test");
        await using var backends = await BackendSet.StartAsync(1);
        var port = FreePort.Next();
        await using var node = await TestNode.StartAsync(TlsConfig(port, backends.All, b, a));

        Assert.Equal(b.Thumbprint, await PresentedForAsync(port, "unknown.test"));
        Assert.Equal(a.Thumbprint, await PresentedForAsync(port, "a.test"));
    }

    [Fact]
    public async Task Http2_OverTlsWithAlpn_ResponseIsHttp2AndReachesBackendOnTheDirectPath()
    {
        var a = CreateSite("a.test");
        await using var backends = await BackendSet.StartAsync(1);
        var port = FreePort.Next();
        await using var node = await TestNode.StartAsync(TlsConfig(port, backends.All, a));
        using var client = Client(port, new StrongBox<string?>());
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"https://a.test:{port}/echo"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("backend-1", response.Headers.GetValues("X-Backend").Single());
        Assert.Equal(1, backends[0].Requests);
        Assert.Equal((1, 0), (node.Stats().Direct, node.Stats().Yarp));
    }

    /// <summary>A bare TLS handshake limited to <paramref name="protocols"/>; returns what was negotiated, or the failure.</summary>
    private static async Task<(SslProtocols? Negotiated, Exception? Error)> HandshakeAsync(int port, SslProtocols protocols)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, cancel.Token);
        await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "a.test",
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }, cancel.Token);
            return (ssl.SslProtocol, null);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or System.ComponentModel.Win32Exception)
        {
            return (null, e);
        }
    }

    [Fact]
    public async Task MinimumProtocol_Default_Tls11ClientRefusedTls12Accepted()
    {
        var a = CreateSite("a.test");
        await using var backends = await BackendSet.StartAsync(1);
        var port = FreePort.Next();
        await using var node = await TestNode.StartAsync(TlsConfig(port, backends.All, a));

#pragma warning disable SYSLIB0039, CA5397, CA5398 // deliberately offering a deprecated protocol
        var (old, error) = await HandshakeAsync(port, SslProtocols.Tls11);
#pragma warning restore SYSLIB0039, CA5397, CA5398

        // Whether the server refuses or the local TLS library cannot even offer 1.1, no
        // connection below TLS 1.2 may come up.
        Assert.True(old is null, $"a TLS 1.1-only client negotiated {old}");
        Assert.NotNull(error);

#pragma warning disable CA5398 // pinning the version is the point of this check
        var (tls12, error12) = await HandshakeAsync(port, SslProtocols.Tls12);
#pragma warning restore CA5398
        Assert.True(error12 is null, $"TLS 1.2 handshake failed: {error12}");
        Assert.Equal(SslProtocols.Tls12, tls12);
    }

    [Fact]
    public async Task Reload_CertificateFilesReplaced_NewConnectionsGetNewCertificate()
    {
        var a = CreateSite("a.test");
        var b = CreateSite("b.test");
        await using var backends = await BackendSet.StartAsync(1);
        var port = FreePort.Next();
        var config = TlsConfig(port, backends.All, a, b);
        await using var node = await TestNode.StartAsync(config);
        Assert.Equal(a.Thumbprint, await PresentedForAsync(port, "a.test"));

        var renewed = HttpTestHelpers.WriteSelfSignedPem("a.test", a.Certificate, a.Key);
        Assert.NotEqual(a.Thumbprint, renewed);
        Assert.Equal(a.Thumbprint, await PresentedForAsync(port, "a.test")); // files alone change nothing
        Assert.Empty(await node.ReloadAsync(config));

        Assert.Equal(renewed, await PresentedForAsync(port, "a.test"));
        Assert.Equal(renewed, await PresentedForAsync(port, "unknown.test"));
        Assert.Equal(b.Thumbprint, await PresentedForAsync(port, "b.test"));
    }
}

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Appliance.Tests.BadInput;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Security;

/// <summary>
/// A real node's TLS listeners with the default settings, one with an RSA and one with an ECDSA
/// certificate: clients offering only TLS 1.0/1.1, or only weak cipher suites (CBC, no forward
/// secrecy, 3DES), get no connection; TLS 1.2 with an AEAD suite and TLS 1.3 do. Extends
/// tests/Appliance.Node.Tests/Http/TlsTests.cs (the TLS 1.1 refusal in process).
/// </summary>
[Trait("Category", "Faults")]
[SupportedOSPlatform("linux")]
public sealed class TlsPolicyTests(TlsPolicyTests.TlsNode tls, ITestOutputHelper output) : IClassFixture<TlsPolicyTests.TlsNode>
{
#pragma warning disable CA5398 // pinned protocol versions are the point of these checks
#pragma warning disable SYSLIB0039, CA5397 // TLS 1.0/1.1 offered on purpose, to be refused

    /// <summary>Suites a scanner calls weak: CBC (Lucky13-style padding oracles), static RSA key exchange (no forward secrecy), 3DES.</summary>
    public static TheoryData<string, TlsCipherSuite> WeakSuites => new()
    {
        { "rsa", TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 },
        { "rsa", TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 },
        { "rsa", TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA },
        { "rsa", TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256 },
        { "rsa", TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA256 },
        { "rsa", TlsCipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA },
        { "rsa", TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA },
        { "ecdsa", TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 },
        { "ecdsa", TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA },
    };

    public static TheoryData<string, TlsCipherSuite> StrongSuites => new()
    {
        { "rsa", TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 },
        { "rsa", TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 },
        { "rsa", TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 },
        { "ecdsa", TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 },
        { "ecdsa", TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 },
    };

    [Theory]
    [MemberData(nameof(WeakSuites))]
    public async Task Tls12_ClientOfferingOnlyAWeakSuite_Refused(string key, TlsCipherSuite suite)
    {
        var (negotiated, error) = await HandshakeAsync(tls.Port(key), SslProtocols.Tls12, suite);

        output.WriteLine($"{suite} on the {key} listener: {(negotiated is null ? "refused: " + error?.Message : "negotiated " + negotiated)}");
        Assert.True(negotiated is null, $"{suite} was negotiated on the {key} listener");
    }

    [Theory]
    [MemberData(nameof(StrongSuites))]
    public async Task Tls12_ClientOfferingAStrongSuite_Served(string key, TlsCipherSuite suite)
    {
        var (negotiated, error) = await HandshakeAsync(tls.Port(key), SslProtocols.Tls12, suite);

        Assert.True(error is null, $"{suite} on the {key} listener failed: {error}");
        Assert.Equal(suite, negotiated);
    }

    [Theory]
    [InlineData(SslProtocols.Tls)]
    [InlineData(SslProtocols.Tls11)]
    public async Task OldProtocol_ClientOfferingOnlyIt_Refused(SslProtocols protocol)
    {
        foreach (var key in new[] { "rsa", "ecdsa" })
        {
            var (negotiated, _) = await HandshakeAsync(tls.Port(key), protocol, suite: null);
            Assert.True(negotiated is null, $"a {protocol}-only client got a connection on the {key} listener");
        }
    }

    [Fact]
    public async Task Tls13_Served()
    {
        var (negotiated, error) = await HandshakeAsync(tls.Port("ecdsa"), SslProtocols.Tls13, suite: null);

        Assert.True(error is null, $"TLS 1.3 failed: {error}");
        Assert.Contains(negotiated!.Value, new[] { TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256 });
    }

    /// <summary>A bare handshake; returns the suite negotiated, or the failure.</summary>
    private static async Task<(TlsCipherSuite? Suite, Exception? Error)> HandshakeAsync(int port, SslProtocols protocols, TlsCipherSuite? suite)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, cancel.Token);
        await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "site.test",
                EnabledSslProtocols = protocols,
                CipherSuitesPolicy = suite is { } s ? new CipherSuitesPolicy([s]) : null,
                RemoteCertificateValidationCallback = (_, _, _, _) => true, // self-signed on purpose
            }, cancel.Token);
            return (ssl.NegotiatedCipherSuite, null);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or System.ComponentModel.Win32Exception or PlatformNotSupportedException)
        {
            return (null, e);
        }
    }

#pragma warning restore SYSLIB0039, CA5397
#pragma warning restore CA5398

    /// <summary>A node with two TLS listeners (RSA and ECDSA certificates made for the test), default TLS settings.</summary>
    public sealed class TlsNode : IAsyncLifetime
    {
        private readonly Dictionary<string, int> _ports = new() { ["rsa"] = FreePort.Next(), ["ecdsa"] = FreePort.Next() };
        private FaultBackend? _backend;
        private NodeProcess? _node;

        public int Port(string key) => _ports[key];

        public async Task InitializeAsync()
        {
            _backend = await FaultBackend.StartAsync("backend");
            var config = EdgeNodeFixture.Config(FreePort.Next(), _backend);
            _node = await NodeProcess.StartAsync(config, prepare: directory =>
            {
                var listeners = config["Listeners"]!.AsArray();
                foreach (var (key, port) in _ports)
                {
                    var certificate = Path.Combine(directory, key + ".crt");
                    var privateKey = Path.Combine(directory, key + ".key");
                    WriteCertificate(key, certificate, privateKey);
                    listeners.Add(new JsonObject
                    {
                        ["Name"] = key,
                        ["Address"] = $"127.0.0.1:{port}",
                        ["Tls"] = new JsonObject
                        {
                            ["Certificates"] = new JsonArray(new JsonObject { ["Certificate"] = certificate, ["Key"] = privateKey, ["HostNames"] = new JsonArray("site.test") }),
                        },
                    });
                }
            });
        }

        private static void WriteCertificate(string key, string certificatePath, string keyPath)
        {
            using AsymmetricAlgorithm algorithm = key == "rsa" ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = algorithm is RSA rsa
                ? new CertificateRequest("CN=site.test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                : new CertificateRequest("CN=site.test", (ECDsa)algorithm, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("site.test");
            request.CertificateExtensions.Add(san.Build());
            var now = DateTimeOffset.UtcNow;
            using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
            File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
            File.WriteAllText(keyPath, algorithm.ExportPkcs8PrivateKeyPem());
        }

        public async Task DisposeAsync()
        {
            if (_node is not null)
            {
                await _node.DisposeAsync();
            }

            if (_backend is not null)
            {
                await _backend.DisposeAsync();
            }
        }
    }
}

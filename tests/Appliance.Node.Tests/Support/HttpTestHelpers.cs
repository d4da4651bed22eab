using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Appliance.Tests.Support;

/// <summary>Small helpers for the end-to-end HTTP tests: polling with a deadline, raw sockets, certificates.</summary>
internal static class HttpTestHelpers
{
    /// <summary>
    /// Evaluates <paramref name="condition"/> until it holds, failing the test once
    /// <paramref name="timeout"/> has passed. Returns how long it took.
    /// </summary>
    public static async Task<TimeSpan> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, int pollMilliseconds = 25)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return started.Elapsed;
            }

            if (started.Elapsed > timeout)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:0.0} s waiting until {what}");
            }

            await Task.Delay(pollMilliseconds);
        }
    }

    /// <summary>Synchronous-condition overload of <see cref="WaitUntilAsync(Func{Task{bool}}, TimeSpan, string, int)"/>.</summary>
    public static Task<TimeSpan> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, int pollMilliseconds = 25) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout, what, pollMilliseconds);

    /// <summary>
    /// Writes <paramref name="request"/> as is to a fresh TCP connection to 127.0.0.1:<paramref name="port"/>
    /// and reads the answer until the server closes the connection or <paramref name="timeout"/>
    /// (default 5 s) passes; returns what arrived (possibly empty).
    /// </summary>
    public static async Task<string> SendRawAsync(int port, string request, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port, cancel.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var bytes = Encoding.Latin1.GetBytes(request);
        try
        {
            await stream.WriteAsync(bytes, cancel.Token);
        }
        catch (IOException)
        {
            // The server may close before reading everything; what it answered is still readable.
        }

        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cancel.Token)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        }
        catch (OperationCanceledException)
        {
            // Kept open past the timeout: return what arrived.
        }
        catch (IOException)
        {
            // Reset by the server after answering.
        }

        return Encoding.Latin1.GetString(received.ToArray());
    }

    /// <summary>The status code of a raw HTTP/1.x response ("HTTP/1.1 400 Bad Request"), or 0 when none arrived.</summary>
    public static int StatusOf(string rawResponse)
    {
        if (!rawResponse.StartsWith("HTTP/1.", StringComparison.Ordinal) || rawResponse.Length < 12)
        {
            return 0;
        }

        return int.Parse(rawResponse.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Writes a fresh self-signed ECDSA P-256 server certificate for <paramref name="dnsName"/>
    /// (subject alternative name) as PEM certificate and PKCS#8 key files; returns its SHA-1 thumbprint.
    /// </summary>
    public static string WriteSelfSignedPem(string dnsName, string certificatePath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return certificate.Thumbprint;
    }

    /// <summary>
    /// A loopback port that refuses connections: bound (so no one else gets it while the test
    /// runs) but never listening.
    /// </summary>
    public sealed class RefusingPort : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        public RefusingPort()
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        }

        public int Port { get; }

        public Uri Url => new($"http://127.0.0.1:{Port}/");

        public void Dispose() => _socket.Dispose();
    }

    /// <summary>A directory under the system temp directory, deleted on dispose.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "appliance-http-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open (e.g. by a log writer) is left to the OS's temp cleanup.
            }
        }
    }
}

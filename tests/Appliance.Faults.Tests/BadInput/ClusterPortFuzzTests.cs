using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Appliance.Cluster.Security;
using Appliance.Core.Security;
using Appliance.Tests.Cluster;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.BadInput;

/// <summary>
/// Bad input at the cluster port of a real two-node cluster (Akka.Remote over mutual TLS): plain
/// bytes that are no TLS at all, a TLS client whose certificate is from another cluster key, and,
/// after a handshake that succeeds (a certificate from the right key), random length-prefixed
/// frames that are no Akka PDU. Each connection must end, the refusals must be counted, and the
/// node must keep serving with the same incarnation and both members Up: no bad peer may cost the
/// cluster a member. The seed is printed; <c>APPLIANCE_FUZZ_SEED=n</c> replays a run.
/// </summary>
[Trait("Category", "Faults")]
public sealed class ClusterPortFuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ClusterPort_GarbageStrangersAndBadFrames_EachConnectionEnds_NodeKeepsItsMembers()
    {
        var seed = Environment.GetEnvironmentVariable("APPLIANCE_FUZZ_SEED") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"fuzz seed {seed} (replay with APPLIANCE_FUZZ_SEED={seed})");
        var random = new Random(seed);
        var perKind = FaultFactAttribute.Enabled ? 300 : 40;

        var keyText = ClusterNodes.NewKey();
        using var nodes = new ClusterNodes(2, keyText);
        nodes.StartAll();
        await nodes.WaitAllUpAsync(30_000);
        var port = int.Parse(nodes.ClusterAddress(0).Split(':')[1], CultureInfo.InvariantCulture);
        using var admin = new HttpClient { BaseAddress = nodes.AdminUrl(0), Timeout = Patience };
        var before = await ReadAsync(admin);

        Assert.True(ClusterKey.TryParse(keyText, out var key, out var keyError), keyError);
        Assert.True(ClusterKey.TryParse(ClusterNodes.NewKey(), out var otherKey, out _));
        using var ours = ClusterCertificates.Create(key, "fuzzer", TimeProvider.System);
        using var theirs = ClusterCertificates.Create(otherKey, "stranger", TimeProvider.System);

        var notTls = 0;
        var strangersRefused = 0;
        var framesEnded = 0;
        for (var i = 0; i < perKind; i++)
        {
            notTls += await PlainBytesEndAsync(port, Bytes(random, random.Next(1, 4096))) ? 1 : 0;
            strangersRefused += await HandshakeRefusedAsync(port, theirs.Current) ? 1 : 0;
            framesEnded += await FramesAfterHandshakeEndAsync(port, ours.Current, random) ? 1 : 0;
        }

        output.WriteLine($"per kind {perKind}: plain bytes ended {notTls}, strangers refused {strangersRefused}, bad frames ended {framesEnded}");
        Assert.Equal(perKind, notTls);
        Assert.Equal(perKind, strangersRefused);
        Assert.Equal(perKind, framesEnded);

        var after = await ReadAsync(admin);
        Assert.False(nodes[0].HasExited, "the node under fuzz exited:\n" + nodes[0].Output);
        Assert.Equal(before.Incarnations, after.Incarnations); // no bad peer restarted the node's ActorSystem
        Assert.True(after.Refused >= before.Refused + perKind, $"refused handshakes {before.Refused} -> {after.Refused}, expected +{perKind}");
        Assert.Equal(2, after.Up);
        Assert.Equal(0, after.Unreachable);
        Assert.DoesNotContain(keyText, nodes[0].Output, StringComparison.Ordinal);

        using var status = await admin.GetAsync(new Uri("api/v1/status", UriKind.Relative));
        Assert.True(status.IsSuccessStatusCode, $"the admin API answered {(int)status.StatusCode}");
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Bytes that are not a TLS ClientHello: the listener must close the connection.</summary>
    private static async Task<bool> PlainBytesEndAsync(int port, byte[] bytes)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(bytes);
        }
        catch (IOException)
        {
            return true; // closed while we wrote
        }

        return await SeesEndAsync(stream);
    }

    /// <summary>A TLS client whose certificate chains to another cluster's authority: the handshake must fail.</summary>
    private static async Task<bool> HandshakeRefusedAsync(int port, X509Certificate2 certificate)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        try
        {
            using var cts = new CancellationTokenSource(Patience);
            await tls.AuthenticateAsClientAsync(Options(certificate), cts.Token);

            // TLS 1.3 finishes the client's side before the server has judged the client's
            // certificate; the refusal then arrives as the end of the stream.
            await tls.WriteAsync(new byte[] { 0, 0, 0, 1, 0 }, cts.Token);
            return await SeesEndAsync(tls);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            return e is not OperationCanceledException;
        }
    }

    /// <summary>A handshake with the cluster's own authority, then frames that are no Akka PDU: the association must end.</summary>
    private static async Task<bool> FramesAfterHandshakeEndAsync(int port, X509Certificate2 certificate, Random random)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        using var cts = new CancellationTokenSource(Patience);
        await tls.AuthenticateAsClientAsync(Options(certificate), cts.Token);
        try
        {
            for (var i = 0; i < 4; i++)
            {
                // Akka.Remote's framing: a 4-byte big-endian length, then that many bytes.
                var body = Bytes(random, random.Next(0, 512));
                var frame = new byte[4 + body.Length];
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame, random.Next(4) == 0 ? random.Next() : body.Length);
                body.CopyTo(frame, 4);
                await tls.WriteAsync(frame, cts.Token);
            }
        }
        catch (IOException)
        {
            return true;
        }

        return await SeesEndAsync(tls);
    }

    private static SslClientAuthenticationOptions Options(X509Certificate2 certificate) => new()
    {
        TargetHost = "appliance-cluster",
        ClientCertificates = [certificate],
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
    };

    /// <summary>True when the peer ends the stream (EOF or reset) within the patience.</summary>
    private static async Task<bool> SeesEndAsync(Stream stream)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(Patience);
        try
        {
            while (await stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private sealed record Readings(double Incarnations, double Refused, int Up, int Unreachable);

    private static async Task<Readings> ReadAsync(HttpClient admin)
    {
        var scrape = PrometheusText.Parse(await admin.GetStringAsync(new Uri("metrics", UriKind.Relative)));
        using var members = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync(new Uri("api/v1/cluster/members", UriKind.Relative)));
        var list = members.RootElement.GetProperty("members").EnumerateArray().ToList();
        return new Readings(
            scrape.Value("appliance_cluster_incarnations_total"),
            scrape.Value("appliance_cluster_handshakes_total", ("outcome", "refused")),
            list.Count(m => m.GetProperty("state").GetString() == "up"),
            list.Count(m => m.GetProperty("state").GetString() == "unreachable"));
    }
}

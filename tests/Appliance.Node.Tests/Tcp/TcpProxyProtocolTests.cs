using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;
using static Appliance.Tests.Support.TcpTestClient;

namespace Appliance.Tests.Tcp;

/// <summary>PROXY protocol on real sockets: the v2 header sent to backends, and v1/v2 headers read from trusted fronts.</summary>
public sealed class TcpProxyProtocolTests
{
    /// <summary>A backend that records the first 64 bytes it receives, then echoes.</summary>
    private static TcpTestBackend Recorder() => TcpTestBackend.Start("rec", static async (backend, socket) =>
    {
        var buffer = new byte[256];
        var filled = 0;
        using var cancel = new CancellationTokenSource(Bound);
        while (filled < 64)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(filled), cancel.Token);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        backend.Received.Enqueue(buffer[..filled]);
        socket.Shutdown(SocketShutdown.Send);
    });

    private static async Task<byte[]> FirstBytesAsync(TcpTestBackend backend)
    {
        await HttpTestHelpers.WaitUntilAsync(() => !backend.Received.IsEmpty, Bound, "the backend received its first bytes");
        backend.Received.TryDequeue(out var bytes);
        return bytes!;
    }

    [Fact]
    public async Task SendV2_BackendGetsGoldenHeaderThenClientBytes()
    {
        await using var backend = Recorder();
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpPool()["SendProxyProtocol"] = "V2";
        await using var node = await TestNode.StartAsync(config);
        using var client = await ConnectAsync(port, IPAddress.Parse("127.0.0.9"));
        var clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;

        await client.SendAsync(new byte[] { 0x42, 0x43 }.Concat(new byte[34]).ToArray());
        var bytes = await FirstBytesAsync(backend);

        byte[] expected =
        [
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C,
            127, 0, 0, 9, 127, 0, 0, 1, (byte)(clientPort >> 8), (byte)clientPort, (byte)(port >> 8), (byte)port,
            0x42, 0x43,
        ];
        Assert.Equal(expected, bytes[..30]);
    }

    [Fact]
    public async Task AcceptV1FromTrustedFront_SendV2_CarriesTheOriginalClient()
    {
        await using var backend = Recorder();
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpListener()["AcceptProxyProtocol"] = new JsonObject { ["TrustedProxies"] = new JsonArray("127.0.0.0/8") };
        config.TcpPool()["SendProxyProtocol"] = "V2";
        await using var node = await TestNode.StartAsync(config);
        using var front = await ConnectAsync(port);

        // Header and the client's first bytes in one segment, as fronts often send them.
        await front.SendAsync(Encoding.ASCII.GetBytes("PROXY TCP4 192.0.2.10 198.51.100.1 51234 443\r\nHELLO" + new string('.', 40)));
        var bytes = await FirstBytesAsync(backend);

        Assert.Equal([0x21, 0x11, 0x00, 0x0C, 192, 0, 2, 10, 198, 51, 100, 1, 0xC8, 0x22, 0x01, 0xBB], bytes[12..28]);
        Assert.Equal("HELLO", Encoding.ASCII.GetString(bytes, 28, 5));
    }

    [Fact]
    public async Task AcceptV2FromTrustedFront_HeaderStrippedBeforeBackend()
    {
        await using var backend = Recorder();
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpListener()["AcceptProxyProtocol"] = new JsonObject { ["TrustedProxies"] = new JsonArray("127.0.0.1") };
        await using var node = await TestNode.StartAsync(config);
        using var front = await ConnectAsync(port);
        byte[] header = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C, 192, 0, 2, 10, 198, 51, 100, 1, 0xC8, 0x22, 0x01, 0xBB];

        // Sent in two pieces: the reader must wait for the rest of the header.
        await front.SendAsync(header[..10]);
        await Task.Delay(100);
        await front.SendAsync(header[10..].Concat(Encoding.ASCII.GetBytes(new string('x', 64))).ToArray());

        Assert.Equal(new string('x', 64), Encoding.ASCII.GetString(await FirstBytesAsync(backend)));
    }

    [Fact]
    public async Task MalformedHeaderFromTrustedFront_ResetAndBackendNeverReached()
    {
        await using var backend = Recorder();
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpListener()["AcceptProxyProtocol"] = new JsonObject { ["TrustedProxies"] = new JsonArray("127.0.0.1") };
        await using var node = await TestNode.StartAsync(config);
        using var front = await ConnectAsync(port);

        await front.SendAsync(Encoding.ASCII.GetBytes("PROXY TCP4 192.0.2.10 not-an-address 1 2\r\n"));

        Assert.Equal("reset", (await WaitForEndAsync(front)).End);
        Assert.Equal(0, backend.Accepted);
        Assert.Equal(1, node.TcpListener().Refused);
    }

    [Fact]
    public async Task TrustedFrontSendsNothing_ClosedAfterHeaderTimeout()
    {
        await using var backend = Recorder();
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpListener()["AcceptProxyProtocol"] = new JsonObject { ["TrustedProxies"] = new JsonArray("127.0.0.1"), ["HeaderTimeout"] = "00:00:00.300" };
        await using var node = await TestNode.StartAsync(config);
        using var front = await ConnectAsync(port);

        Assert.Equal("reset", (await WaitForEndAsync(front, TimeSpan.FromSeconds(5))).End);
        Assert.Equal(0, backend.Accepted);
    }

    [Fact]
    public async Task UntrustedClient_HeaderNotParsedButForwardedAsData()
    {
        await using var backend = Recorder();
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        config.TcpListener()["AcceptProxyProtocol"] = new JsonObject { ["TrustedProxies"] = new JsonArray("10.0.0.1") };
        await using var node = await TestNode.StartAsync(config);
        using var client = await ConnectAsync(port);
        var forged = "PROXY TCP4 192.0.2.10 198.51.100.1 51234 443\r\n" + new string('y', 30);

        await client.SendAsync(Encoding.ASCII.GetBytes(forged));

        Assert.Equal(forged[..64], Encoding.ASCII.GetString(await FirstBytesAsync(backend), 0, 64));
    }
}

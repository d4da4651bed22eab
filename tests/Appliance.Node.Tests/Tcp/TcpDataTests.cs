using System.Net.Sockets;
using System.Security.Cryptography;
using Appliance.Tests.Support;

namespace Appliance.Tests.Tcp;

/// <summary>
/// Data integrity through a TCP listener: the client streams a pseudo-random pattern to an echo
/// backend and reads the echo at the same time; SHA-256 checksums of what was sent and what came
/// back must match, in both directions' byte counts.
/// </summary>
public sealed class TcpDataTests
{
    private const int Block = 1 << 20;

    [Fact]
    public Task Echo_64MiB_ChecksumsMatch() => EchoAsync(64L << 20, TimeSpan.FromSeconds(30));

    /// <summary>About 8 s on an idle 2-core machine, but minutes when the machine is shared: opt-in.</summary>
    [SlowFact]
    [Trait("Category", "Slow")]
    public Task Echo_1GiB_ChecksumsMatch() => EchoAsync(1L << 30, TimeSpan.FromSeconds(50));

    private static async Task EchoAsync(long total, TimeSpan bound)
    {
        await using var backend = TcpTestBackend.Start("echo", static (_, socket) => TcpTestBackend.Echo(socket));
        var port = FreePort.Next();
        await using var node = await TestNode.StartAsync(TcpTestConfig.Create(port, [backend]));
        using var client = await TcpTestClient.ConnectAsync(port);
        using var cancel = new CancellationTokenSource(bound);

        var sent = SendPatternAsync(client, total, cancel.Token);
        var received = ReceiveAllAsync(client, total, cancel.Token);
        var (sentHash, receivedHash) = (await sent, await received);

        Assert.Equal(Convert.ToHexString(sentHash), Convert.ToHexString(receivedHash));
        var counts = node.TcpListener();
        Assert.Equal(1, counts.Active);
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal("fin", (await TcpTestClient.WaitForEndAsync(client)).End);
    }

    private static async Task<byte[]> SendPatternAsync(Socket socket, long total, CancellationToken cancel)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[Block];
        var state = 0x9E3779B97F4A7C15UL;
        for (long sent = 0; sent < total; sent += Block)
        {
            var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(block.AsSpan());
            for (var i = 0; i < words.Length; i++)
            {
                state ^= state << 13; // xorshift64: cheap, and no block repeats another
                state ^= state >> 7;
                state ^= state << 17;
                words[i] = state;
            }

            hash.AppendData(block);
            await socket.SendAsync(block, SocketFlags.None, cancel);
        }

        return hash.GetHashAndReset();
    }

    private static async Task<byte[]> ReceiveAllAsync(Socket socket, long total, CancellationToken cancel)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[256 * 1024];
        long received = 0;
        while (received < total)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel);
            Assert.True(n > 0, $"the stream ended after {received} of {total} bytes");
            hash.AppendData(buffer, 0, n);
            received += n;
        }

        return hash.GetHashAndReset();
    }
}

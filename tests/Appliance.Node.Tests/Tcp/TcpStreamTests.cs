using System.Net.Sockets;
using System.Text;
using Appliance.Tests.Support;
using static Appliance.Tests.Support.TcpTestClient;

namespace Appliance.Tests.Tcp;

/// <summary>Half-close, reset, a backend dying mid-stream and the idle timeout, end to end on real sockets.</summary>
public sealed class TcpStreamTests
{
    private static async Task<(TcpTestBackend Backend, TestNode Node, int Port)> StartAsync(
        Func<TcpTestBackend, Socket, Task>? handler = null, Action<System.Text.Json.Nodes.JsonObject>? change = null)
    {
        var backend = TcpTestBackend.Start("b1", handler);
        var port = FreePort.Next();
        var config = TcpTestConfig.Create(port, [backend]);
        change?.Invoke(config);
        return (backend, await TestNode.StartAsync(config), port);
    }

    [Fact]
    public async Task ClientHalfCloses_StillReceivesTheWholeAnswer()
    {
        // The backend answers only once it has seen the client's FIN, then sends 1 MiB and closes.
        var (backend, node, port) = await StartAsync(static async (_, socket) =>
        {
            var buffer = new byte[4096];
            var asked = 0;
            int n;
            while ((n = await socket.ReceiveAsync(buffer)) > 0)
            {
                asked += n;
            }

            await socket.SendAsync(Encoding.ASCII.GetBytes($"asked {asked}\n"));
            await socket.SendAsync(new byte[1 << 20]);
            socket.Shutdown(SocketShutdown.Send);
        });
        await using (backend)
        await using (node)
        {
            using var client = await ConnectAsync(port);
            await client.SendAsync("twelve bytes"u8.ToArray());
            client.Shutdown(SocketShutdown.Send);

            var (end, data) = await WaitForEndAsync(client);

            Assert.Equal("fin", end);
            Assert.Equal("asked 12\n".Length + (1 << 20), data.Length);
            Assert.StartsWith("asked 12\n", Encoding.ASCII.GetString(data, 0, 9), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BackendHalfCloses_ClientCanStillSendAndBackendReadsIt()
    {
        var got = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (backend, node, port) = await StartAsync(async (_, socket) =>
        {
            await socket.SendAsync("bye\n"u8.ToArray());
            socket.Shutdown(SocketShutdown.Send);
            var all = new MemoryStream();
            var buffer = new byte[4096];
            int n;
            while ((n = await socket.ReceiveAsync(buffer)) > 0)
            {
                all.Write(buffer, 0, n);
            }

            got.TrySetResult(Encoding.ASCII.GetString(all.ToArray()));
        });
        await using (backend)
        await using (node)
        {
            using var client = await ConnectAsync(port);
            Assert.Equal("bye", await ReadLineAsync(client));
            Assert.Equal("fin", (await WaitForEndAsync(client)).End);

            await client.SendAsync("sent after the backend's FIN"u8.ToArray());
            client.Shutdown(SocketShutdown.Send);

            Assert.Equal("sent after the backend's FIN", await got.Task.WaitAsync(Bound));
        }
    }

    [Fact]
    public async Task ClientResets_BackendSeesReset()
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (backend, node, port) = await StartAsync(async (_, socket) =>
        {
            await socket.SendAsync("hi\n"u8.ToArray());
            var buffer = new byte[4096];
            try
            {
                while (await socket.ReceiveAsync(buffer) > 0)
                {
                }

                seen.TrySetResult("fin");
            }
            catch (SocketException e)
            {
                seen.TrySetResult(e.SocketErrorCode.ToString());
            }
        });
        await using (backend)
        await using (node)
        {
            var client = await ConnectAsync(port);
            Assert.Equal("hi", await ReadLineAsync(client));

            client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            client.Dispose();

            Assert.Equal(nameof(SocketError.ConnectionReset), await seen.Task.WaitAsync(Bound));
        }
    }

    [Fact]
    public async Task BackendResets_ClientSeesReset()
    {
        var (backend, node, port) = await StartAsync(static async (_, socket) =>
        {
            await socket.SendAsync("hi\n"u8.ToArray());
            var buffer = new byte[16];
            await socket.ReceiveAsync(buffer);
            socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            socket.Dispose();
        });
        await using (backend)
        await using (node)
        {
            using var client = await ConnectAsync(port);
            Assert.Equal("hi", await ReadLineAsync(client));

            await client.SendAsync("reset me"u8.ToArray());

            Assert.Equal("reset", (await WaitForEndAsync(client)).End);
        }
    }

    [Fact]
    public async Task BackendDiesMidStream_ClientConnectionEndsAndNothingLeaks()
    {
        var (backend, node, port) = await StartAsync(static async (_, socket) =>
        {
            var chunk = new byte[64 * 1024];
            while (true)
            {
                await socket.SendAsync(chunk);
            }
        });
        await using (backend)
        await using (node)
        {
            using var client = await ConnectAsync(port);
            var buffer = new byte[64 * 1024];
            long received = 0;
            while (received < 4 << 20)
            {
                received += await client.ReceiveAsync(buffer);
            }

            backend.Kill();

            var (end, _) = await WaitForEndAsync(client);
            Assert.Equal("reset", end);
            await HttpTestHelpers.WaitUntilAsync(() => node.TcpListener().Tracked == 0, Bound, "the connection is released");
            Assert.Equal(0, node.Counts.Get("tcp/pool/b1"));
            Assert.Equal(0, node.TcpPools.Find("pool")!.Find("b1")!.Core.InFlight);
        }
    }

    [Fact]
    public async Task IdleTimeout_SilentConnectionClosedWithFinOnBothSides()
    {
        var backendSaw = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (backend, node, port) = await StartAsync(
            async (b, socket) =>
            {
                await TcpTestBackend.NameThenEcho(b, socket);
                backendSaw.TrySetResult("fin");
            },
            config => config.TcpListener()["IdleTimeout"] = "00:00:00.400");
        await using (backend)
        await using (node)
        {
            using var client = await ConnectAsync(port);
            Assert.Equal("b1", await ReadLineAsync(client));
            Assert.Equal("ping", await RoundTripAsync(client, "ping"));
            var quiet = System.Diagnostics.Stopwatch.StartNew();

            var (end, _) = await WaitForEndAsync(client, TimeSpan.FromSeconds(5));

            Assert.Equal("fin", end);
            Assert.InRange(quiet.Elapsed.TotalMilliseconds, 350, 3000);
            Assert.Equal("fin", await backendSaw.Task.WaitAsync(Bound));
        }
    }

    [Fact]
    public async Task IdleTimeout_TrafficKeepsConnectionOpen()
    {
        var (backend, node, port) = await StartAsync(change: config => config.TcpListener()["IdleTimeout"] = "00:00:01.500");
        await using (backend)
        await using (node)
        {
            using var client = await ConnectAsync(port);
            Assert.Equal("b1", await ReadLineAsync(client));
            for (var i = 0; i < 8; i++)
            {
                await Task.Delay(300); // 2.4 s in all: well past the timeout, never silent for long
                Assert.Equal($"ping {i}", await RoundTripAsync(client, $"ping {i}"));
            }
        }
    }
}

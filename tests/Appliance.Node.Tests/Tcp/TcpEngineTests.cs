using System.Net.Sockets;
using Appliance.Tests.Support;
using static Appliance.Tests.Support.TcpTestClient;

namespace Appliance.Tests.Tcp;

/// <summary>
/// The engine switch, on real daemons: <c>APPLIANCE_TCP_ENGINE=sockets</c> serves TCP on .NET sockets
/// (the fallback), the default on Linux on the event loops; both forward data, pass a half-close on
/// and say in the log which engine runs. The rest of the TCP tests run in-process on the default.
/// </summary>
public sealed class TcpEngineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("applianced-engine-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public Task SocketsByEnvironment_ForwardsAndHalfCloses() =>
        ForwardsThroughDaemonAsync(new Dictionary<string, string> { ["APPLIANCE_TCP_ENGINE"] = "sockets" }, "TCP data path: .NET sockets");

    [LoopEngineFact]
    public Task Default_OnLinux_IsTheEventLoop() =>
        ForwardsThroughDaemonAsync(new Dictionary<string, string>(), "epoll event loop thread(s)");

    /// <summary>
    /// One loop per core with no cap (it was at most 4): the count follows the cores .NET sees,
    /// which <c>DOTNET_PROCESSOR_COUNT</c> sets here as an affinity mask would on a big machine.
    /// </summary>
    [LoopEngineFact]
    public Task LoopCount_FollowsTheCoresTheProcessSees_NoCapAtFour() =>
        ForwardsThroughDaemonAsync(new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = "6" }, "TCP data path: 6 epoll event loop thread(s)");

    private async Task ForwardsThroughDaemonAsync(Dictionary<string, string> environment, string logLine)
    {
        await using var backend = TcpTestBackend.Start("b1");
        var port = FreePort.Next();
        var path = Path.Combine(_dir, "appliance.json");
        await File.WriteAllTextAsync(path, TcpTestConfig.Create(port, [backend]).ToJsonString());
        using var daemon = DaemonProcess.Start(environment, "run", "--config", path);
        await daemon.WaitForOutputAsync(logLine, 40_000);
        await daemon.WaitForOutputAsync("accepting on", 40_000);

        using var client = await ConnectAsync(port);
        Assert.Equal("b1", await ReadLineAsync(client));
        var payload = new byte[1 << 20];
        new Random(7).NextBytes(payload);
        var echoed = ReceiveExactlyAsync(client, payload.Length);
        await client.SendAsync(payload, SocketFlags.None);
        Assert.Equal(payload, await echoed.WaitAsync(TimeSpan.FromSeconds(30)));

        client.Shutdown(SocketShutdown.Send);
        Assert.Equal("fin", (await WaitForEndAsync(client)).End);
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        var got = 0;
        while (got < length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None);
            Assert.True(n > 0, $"the stream ended after {got} of {length} bytes");
            got += n;
        }

        return buffer;
    }
}

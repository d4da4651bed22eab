using Appliance.Node.Hosting;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Appliance.Node.Hosting.Systemd;
using Appliance.Tests.Support;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Tests.Hosting;

/// <summary>sd_notify against real Unix datagram sockets, in process and from a real applianced.</summary>
public sealed class SystemdNotifierTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("notify-node-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Socket_SendsOneDatagram_ToAPathOrAnAbstractName(bool @abstract)
    {
        using var receiver = new NotifyReceiver(@abstract);
        using var socket = new SdNotifySocket(receiver.Address);

        socket.Send("READY=1\nSTATUS=ready");

        Assert.Equal("READY=1\nSTATUS=ready", await receiver.ReceiveAsync());
    }

    [Theory]
    [InlineData("relative/notify.sock")]
    [InlineData("vsock:2:1234")]
    [InlineData("@")]
    [InlineData("")]
    public void ParseAddress_AnythingButAPathOrAbstractName_IsRefusedWithTheReason(string address)
    {
        var e = Assert.Throws<ArgumentException>(() => SdNotifySocket.ParseAddress(address));

        Assert.Contains("NOTIFY_SOCKET", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Socket_Gone_SendThrowsSocketException()
    {
        string address;
        using (var receiver = new NotifyReceiver())
        {
            address = receiver.Address;
        }

        using var socket = new SdNotifySocket(address);

        Assert.ThrowsAny<SocketException>(() => socket.Send("READY=1"));
    }

    [Fact]
    public async Task Notifier_ReportsStatusUntilReady_ThenReadyOnce_ThenStopping()
    {
        using var receiver = new NotifyReceiver();
        var reasons = new[] { "state sync not finished" };
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        using var notifier = new SystemdNotifier(receiver.Address, () => Volatile.Read(ref reasons), lifetime, null, NullLogger<SystemdNotifier>.Instance, TimeSpan.FromMilliseconds(20));

        await notifier.StartAsync(CancellationToken.None);
        Assert.Equal("STATUS=not ready: state sync not finished", await receiver.ReceiveAsync());

        Volatile.Write(ref reasons, []);
        Assert.Equal("READY=1\nSTATUS=ready", await receiver.ReceiveAsync());

        lifetime.StopApplication();
        Assert.Equal(NotifyState.OnStopping(), await receiver.ReceiveAsync());
        await notifier.StopAsync(CancellationToken.None);
        Assert.DoesNotContain(receiver.Drain(), m => m.Contains("READY=1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Notifier_SocketGone_NodeCarriesOn()
    {
        string address;
        using (var gone = new NotifyReceiver())
        {
            address = gone.Address;
        }

        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var calls = 0;
        using var notifier = new SystemdNotifier(address, () => { Interlocked.Increment(ref calls); return []; }, lifetime, null, NullLogger<SystemdNotifier>.Instance, TimeSpan.FromMilliseconds(10));

        await notifier.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref calls) < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        lifetime.StopApplication();
        await notifier.StopAsync(CancellationToken.None);
        Assert.True(Volatile.Read(ref calls) >= 3, "the readiness loop stopped after the failed send");
    }

    [SignalFact(SignalDisposition.SigHup)]
    public async Task Daemon_UnderNotifySocket_ReadyAfterStart_ReloadBracketed_StoppingOnTerm()
    {
        using var receiver = new NotifyReceiver(@abstract: true);
        var config = Path.Combine(_dir, "node.json");
        await File.WriteAllTextAsync(config, Config(port: FreePort.Next()).ToJsonString());
        using var daemon = DaemonProcess.Start(new Dictionary<string, string> { [SdNotifySocket.Variable] = receiver.Address }, "run", "--config", config);

        var start = await receiver.ReceiveUntilAsync("READY=1", timeoutMs: 60_000);
        Assert.Contains("STATUS=ready", start[^1], StringComparison.Ordinal);

        daemon.Signal("HUP");
        var reload = await receiver.ReceiveUntilAsync("RELOADING=1", timeoutMs: 60_000);
        Assert.Matches(@"MONOTONIC_USEC=\d+", reload[^1]);
        var reloaded = await receiver.ReceiveUntilAsync("READY=1", timeoutMs: 60_000);
        Assert.Contains("configuration revision 2 applied", reloaded[^1], StringComparison.Ordinal);

        daemon.Signal("TERM");
        await receiver.ReceiveUntilAsync("STOPPING=1", timeoutMs: 60_000);
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    private static JsonObject Config(int port) => new()
    {
        ["Node"] = new JsonObject { ["Name"] = "notify" },
        ["Listeners"] = new JsonArray(new JsonObject { ["Name"] = "web", ["Address"] = $"127.0.0.1:{port}" }),
        ["Admin"] = new JsonObject { ["Address"] = $"127.0.0.1:{FreePort.Next()}" },
        ["ReverseProxy"] = new JsonObject { ["Routes"] = new JsonObject(), ["Clusters"] = new JsonObject() },
    };
}

using System.Net;
using System.Net.Sockets;
using Appliance.Vip.Adverts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Tests.Adverts;

/// <summary>The advert channel on loopback sockets: stands heard, silence noticed, strangers and replays dropped and counted.</summary>
public sealed class UdpAdvertChannelTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private static UdpAdvertChannel Channel(string self, byte[] key, Func<IReadOnlyList<IPEndPoint>> peers) =>
        new(new AdvertChannelSettings(self, 0, IPAddress.Loopback, Interval, Interval * 8, null), key, peers, TimeProvider.System, NullLogger.Instance);

    private static IPEndPoint EndPoint(UdpAdvertChannel c) => (IPEndPoint)c.LocalEndPoint;

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {Bound.TotalSeconds} s: {what}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task TwoNodes_HearEachOthersStand_ASilentOneIsMarkedSoAndCounted()
    {
        IPEndPoint? bAt = null;
        using var a = Channel("lb1", Key, () => bAt is null ? [] : [bAt]);
        var b = Channel("lb2", Key, () => [EndPoint(a)]);
        bAt = EndPoint(b);
        a.Start();
        b.Start();
        a.Publish([new VipClaim("198.18.1.200/24", true, 0, false, null)]);
        b.Publish([new VipClaim("198.18.1.200/24", false, 20, false, null)]);

        await Until(() => a.Peers.TryGetValue("lb2", out var h) && h.Vips is [{ Penalty: 20 }], "lb1 hears lb2's stand");
        await Until(() => b.Peers.TryGetValue("lb1", out var h) && h.Vips is [{ Held: true }], "lb2 hears lb1 holds the VIP");

        bAt = null;
        b.Dispose();
        await Until(() => a.Peers["lb2"].Silent, "lb1 notices lb2's silence");
        Assert.Equal(1, a.Stats.SilenceCount);
        Assert.Equal(0, a.Stats.RejectedCount(AdvertRejection.Signature));
    }

    [Fact]
    public async Task AStrangerWithAnotherKey_IsNeverHeard_ItsFramesCountedAsBadSignatures()
    {
        using var a = Channel("lb1", Key, () => []);
        var aAt = EndPoint(a);
        using (var stranger = Channel("lb9", [.. Key.Select(k => (byte)~k)], () => [aAt]))
        {
            a.Start();
            stranger.Start();
            stranger.Publish([new VipClaim("198.18.1.200/24", true, 0, false, null)]);
            await Until(() => a.Stats.RejectedCount(AdvertRejection.Signature) >= 5, "lb1 refuses the stranger's adverts");
        }

        Assert.False(a.Peers.ContainsKey("lb9"));
        Assert.Equal(0, a.Stats.ReceivedCount);
    }

    [Fact]
    public async Task APeersSourceThatThrows_CostsARoundNotTheProcess()
    {
        var calls = 0;
        using var a = Channel("lb1", Key, () => ++calls % 2 == 0 ? throw new InvalidOperationException("view torn") : []);
        a.Start();
        a.Publish([new VipClaim("v", true, 0, false, null)]);

        await Until(() => a.Stats.SendFailures >= 3, "failed rounds are counted while the sender goes on");
    }

    [Fact]
    public async Task AReplayedDatagram_IsDroppedAndCounted()
    {
        using var a = Channel("lb1", Key, () => []);
        a.Start();
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var frame = AdvertFrame.Encode(new AdvertFrameContent("lb2", 7, 1, Vips: [new VipClaim("v", true, 0, false, null)]), Key);

        udp.SendTo(frame, EndPoint(a));
        await Until(() => a.Peers.ContainsKey("lb2"), "the first copy is heard");
        udp.SendTo(frame, EndPoint(a));
        await Until(() => a.Stats.ReplayedCount == 1, "the second copy is dropped as a replay");
        Assert.Equal(1, a.Stats.ReceivedCount);
    }
}

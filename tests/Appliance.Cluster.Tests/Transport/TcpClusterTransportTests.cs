using Appliance.Core.Security;
using System.Buffers.Binary;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Transport;
using Appliance.Tests.Wire;
using static Appliance.Tests.Transport.LoopbackKit;
using Appliance.Core.Membership;

namespace Appliance.Tests.Transport;

public sealed class TcpClusterTransportTests
{
    private static readonly ClusterKey Key = ClusterKey.Generate();

    [Fact(Timeout = 30_000)]
    public async Task Send_TwoTransports_MessagesArriveBothWaysWithTarget()
    {
        await using var a = await StartAsync(Key);
        await using var b = await StartAsync(Key);
        var idA = Id(a, 0xA);
        var idB = Id(b, 0xB);
        var gossip = WireSamples.Gossip(new Random(5));

        a.Send(b.LocalAddress, idB.Uid, new Heartbeat(idA, 1));
        a.Send(b.LocalAddress, idB.Uid, new GossipEnvelope(idA, gossip));
        var heartbeat = await ReceiveAsync(b);
        var envelope = await ReceiveAsync(b);
        b.Send(a.LocalAddress, idA.Uid, new HeartbeatAck(idB, 1));
        var ack = await ReceiveAsync(a);

        Assert.Equal(idB.Uid, heartbeat.ToUid);
        Assert.Equal(WireDescription.Of(new Heartbeat(idA, 1)), WireDescription.Of(heartbeat.Message));
        Assert.Equal(WireDescription.Of(new GossipEnvelope(idA, gossip)), WireDescription.Of(envelope.Message));
        Assert.Equal(WireDescription.Of(new HeartbeatAck(idB, 1)), WireDescription.Of(ack.Message));
        Assert.Equal(2, a.Stats.FramesSent);
        Assert.Equal(2, b.Stats.FramesReceived);
        Assert.Equal(a.Stats.BytesSent, b.Stats.BytesReceived);
        Assert.Equal(0, a.Stats.Rejected + b.Stats.Rejected);
    }

    [Fact(Timeout = 30_000)]
    public async Task Send_ToAPortNothingListensOn_RaisesRefusedWithTheAddress()
    {
        await using var a = await StartAsync(Key);
        using var closed = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        closed.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)closed.LocalEndPoint!).Port; // bound, never listening: connections are refused
        var refused = new TaskCompletionSource<NodeAddress>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Refused += address => refused.TrySetResult(address);

        a.Send(new NodeAddress("127.0.0.1", port), 1, new Heartbeat(Id(a, 0xA), 1));

        Assert.Equal(new NodeAddress("127.0.0.1", port), await refused.Task.WaitAsync(Patience));
    }

    [Fact(Timeout = 30_000)]
    public async Task Send_ManyMessages_ArriveInOrder()
    {
        await using var a = await StartAsync(Key);
        await using var b = await StartAsync(Key);
        var idA = Id(a, 0xA);

        for (var i = 1; i <= 500; i++)
        {
            a.Send(b.LocalAddress, 0, new Heartbeat(idA, i));
        }

        for (var i = 1; i <= 500; i++)
        {
            Assert.Equal(i, Assert.IsType<Heartbeat>((await ReceiveAsync(b)).Message).Sequence);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Send_PeerWithWrongKey_RefusedCountedLoggedAndGoodPeerStillWorks()
    {
        var log = new CollectingLogger();
        await using var a = await StartAsync(Key, log);
        await using var good = await StartAsync(Key);
        var wrongKey = ClusterKey.Generate();
        await using var intruder = await StartAsync(wrongKey);

        intruder.Send(a.LocalAddress, 0, new Join(Id(intruder, 0xBAD), "intruder"));
        await EventuallyAsync(() => a.Stats.RejectedAuth >= 1, "the intruder's frame is rejected");
        good.Send(a.LocalAddress, 0, new Join(Id(good, 0x600D), "good"));
        var arrived = await ReceiveAsync(a);
        var later = await CollectAsync(a, TimeSpan.FromMilliseconds(500));

        Assert.Equal(0x600DUL, arrived.Message.From.Uid);
        Assert.DoesNotContain(later, m => m.Message.From.Uid == 0xBAD);
        Assert.Equal(1, a.Stats.FramesReceived);
        var rejection = Assert.Single(log.WithEvent(4101));
        Assert.Contains("authentication failed", rejection, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", rejection, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Key.Span), log.All, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Send_PeerBackAndHeardFrom_ReconnectsWithoutWaitingOutTheBackoff()
    {
        // A backoff of 30 s at least: without the kick nothing could arrive within the test's patience.
        var slow = new TcpTransportOptions { ReconnectMinDelay = TimeSpan.FromSeconds(30), ReconnectMaxDelay = TimeSpan.FromSeconds(60) };
        var log = new CollectingLogger();
        await using var a = await StartAsync(Key, log, options: slow);
        var b = await StartAsync(Key);
        var port = b.LocalAddress.Port;
        await b.DisposeAsync();
        var idA = Id(a, 0xA);
        a.Send(new NodeAddress("127.0.0.1", port), 0, new Heartbeat(idA, 1));
        await EventuallyAsync(() => log.WithEvent(4103).Any(), "a failed connect"); // a is now in its 30 s backoff

        await using var restarted = await StartAsync(Key, port: port);
        restarted.Send(a.LocalAddress, 0, new Heartbeat(Id(restarted, 0xB), 1));
        await ReceiveAsync(a);
        a.Send(restarted.LocalAddress, 0, new Heartbeat(idA, 2));

        var arrived = await ReceiveAsync(restarted);
        Assert.IsType<Heartbeat>(arrived.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task Send_PeerRestartsOnSamePort_Reconnects()
    {
        await using var a = await StartAsync(Key);
        var b = await StartAsync(Key);
        var port = b.LocalAddress.Port;
        var idA = Id(a, 0xA);
        a.Send(b.LocalAddress, 0, new Heartbeat(idA, 1));
        await ReceiveAsync(b);

        await b.DisposeAsync();
        await using var restarted = await StartAsync(Key, port: port);
        var arrived = 0L;
        var sent = 1;
        var deadline = DateTime.UtcNow + Patience;
        while (arrived == 0 && DateTime.UtcNow < deadline)
        {
            a.Send(restarted.LocalAddress, 0, new Heartbeat(idA, ++sent));
            arrived = (await CollectAsync(restarted, TimeSpan.FromMilliseconds(100))).Count;
        }

        Assert.True(arrived > 0, "nothing reached the restarted peer");
        Assert.True(a.IsConnectedTo(restarted.LocalAddress));
        Assert.Equal(0, restarted.Stats.Rejected);
    }

    [Fact(Timeout = 60_000)]
    public async Task Send_PeerDown_QueueStaysBoundedDropsGossipFirstAndDeliversTheRestLater()
    {
        var options = new TcpTransportOptions { SendQueueCapacity = 16, ReconnectMaxDelay = TimeSpan.FromMilliseconds(500) };
        await using var a = await StartAsync(Key, options: options);
        var down = new NodeAddress("127.0.0.1", ClosedPort());
        var idA = Id(a, 0xA);
        for (var i = 0; i < 4; i++)
        {
            a.Send(down, 0, new Join(idA, "join-" + i));
        }

        for (var i = 1; i <= 5000; i++)
        {
            a.Send(down, 0, new Heartbeat(idA, i));
            Assert.True(a.PendingTo(down) <= 16);
        }

        Assert.Equal(5004 - 16, a.Stats.Dropped);
        Assert.Equal(16, a.PendingTo(down));

        await using var late = await StartAsync(Key, port: down.Port);
        var received = new List<ClusterMessage>();
        while (received.Count < 16)
        {
            received.Add((await ReceiveAsync(late)).Message);
        }

        Assert.Equal(["join-0", "join-1", "join-2", "join-3"], received.Take(4).Select(m => Assert.IsType<Join>(m).Name));
        Assert.Equal(Enumerable.Range(4989, 12).Select(i => (long)i), received.Skip(4).Select(m => Assert.IsType<Heartbeat>(m).Sequence));
    }

    [Fact(Timeout = 60_000)]
    public async Task Listener_RawGarbage_ConnectionClosedAndListenerKeepsAccepting()
    {
        await using var a = await StartAsync(Key);
        await using var good = await StartAsync(Key);
        var garbage = new byte[300];
        new Random(1).NextBytes(garbage);
        BinaryPrimitives.WriteUInt32BigEndian(garbage, 296);

        Assert.True(await ServerClosesAfterAsync(a, garbage));
        Assert.True(await ServerClosesAfterAsync(a, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray()));

        good.Send(a.LocalAddress, 0, new Leave(Id(good, 0x600D)));
        Assert.Equal(0x600DUL, (await ReceiveAsync(a)).Message.From.Uid);
        Assert.Equal(1, a.Stats.RejectedAuth);
        Assert.Equal(1, a.Stats.RejectedOversized); // "GET " read as a length: 0x47455420
    }

    [Theory(Timeout = 30_000)]
    [InlineData(0xFFFF_FFFFu)]
    [InlineData((1u << 20) + 1)]
    public async Task Listener_OversizedLength_ClosedWithoutWaitingForTheFrame(uint length)
    {
        await using var a = await StartAsync(Key);
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, length);

        Assert.True(await ServerClosesAfterAsync(a, prefix));

        Assert.Equal(1, a.Stats.RejectedOversized);
        await EventuallyAsync(() => a.OpenInboundConnections == 0, "the connection is released");
    }

    [Fact(Timeout = 30_000)]
    public async Task Listener_ReplayedFrames_ClosedAndCounted()
    {
        await using var a = await StartAsync(Key);
        var frame = FrameCodec.Encode(Key.Span, 0x77, 1, 0, Appliance.Cluster.Wire.WireCodec.Encode(new Leave(new UniqueAddress(new NodeAddress("10.0.0.7", 7946), 0x77))));

        Assert.True(await ServerClosesAfterAsync(a, [.. frame, .. frame]));

        Assert.IsType<Leave>((await ReceiveAsync(a)).Message);
        Assert.Equal(1, a.Stats.RejectedReplay);
    }

    [Fact(Timeout = 30_000)]
    public async Task Listener_FrameTrickledByteByByte_Accepted()
    {
        await using var a = await StartAsync(Key);
        var message = new GossipEnvelope(new UniqueAddress(new NodeAddress("10.0.0.7", 7946), 0x77), WireSamples.Gossip(new Random(9)));
        var frame = FrameCodec.Encode(Key.Span, 0x77, 1, 0, Appliance.Cluster.Wire.WireCodec.Encode(message));
        using var client = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", a.LocalAddress.Port);

        for (var i = 0; i < frame.Length; i += 7)
        {
            await client.SendAsync(frame.AsMemory(i, Math.Min(7, frame.Length - i)));
            await Task.Delay(1);
        }

        Assert.Equal(WireDescription.Of(message), WireDescription.Of((await ReceiveAsync(a)).Message));
    }

    [Fact(Timeout = 60_000)]
    public async Task Listener_ManyBadConnectionsFromOneAddress_EachCountedButLoggedOnce()
    {
        var log = new CollectingLogger();
        await using var a = await StartAsync(Key, log);

        for (var i = 0; i < 20; i++)
        {
            Assert.True(await ServerClosesAfterAsync(a, new byte[64]));
        }

        Assert.Equal(20, a.Stats.RejectedMalformed); // length 0
        Assert.Single(log.WithEvent(4101));
    }

    [Fact(Timeout = 30_000)]
    public async Task Listener_MoreConnectionsThanAllowed_ExtraOnesClosed()
    {
        await using var a = await StartAsync(Key, options: new TcpTransportOptions { MaxInboundConnections = 2 });
        using var first = new System.Net.Sockets.TcpClient();
        using var second = new System.Net.Sockets.TcpClient();
        await first.ConnectAsync("127.0.0.1", a.LocalAddress.Port);
        await second.ConnectAsync("127.0.0.1", a.LocalAddress.Port);
        await EventuallyAsync(() => a.OpenInboundConnections == 2, "two connections are open");

        Assert.True(await ServerClosesAfterAsync(a, []));
        Assert.Equal(2, a.OpenInboundConnections);
    }

    [Fact(Timeout = 30_000)]
    public async Task DisposeAsync_WithOpenConnections_StopsAndCompletesIncoming()
    {
        var a = await StartAsync(Key);
        await using var b = await StartAsync(Key);
        b.Send(a.LocalAddress, 0, new Leave(Id(b, 0xB)));
        a.Send(b.LocalAddress, 0, new Leave(Id(a, 0xA)));
        await ReceiveAsync(a);
        await ReceiveAsync(b);

        await a.DisposeAsync().AsTask().WaitAsync(Patience);

        await a.Incoming.Completion.WaitAsync(Patience);
        Assert.False(await a.Incoming.WaitToReadAsync());
        a.Send(b.LocalAddress, 0, new Leave(Id(a, 0xA))); // ignored, no throw
    }

    [Fact(Timeout = 30_000)]
    public async Task StartAsync_PortInUse_ClearError()
    {
        await using var a = await StartAsync(Key);
        await using var b = new TcpClusterTransport(a.LocalAddress, Key, new TcpTransportOptions(), TimeProvider.System, new CollectingLogger());

        var error = await Assert.ThrowsAsync<IOException>(() => b.StartAsync(CancellationToken.None));

        Assert.Contains($"Cannot listen for cluster traffic on {a.LocalAddress}", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Send_MessageThatCannotBeEncoded_DroppedLoggedAndTheNextOneStillArrives()
    {
        var log = new CollectingLogger();
        await using var a = await StartAsync(Key, log);
        await using var b = await StartAsync(Key);
        var idA = Id(a, 0xA);
        var broken = Gossip.Empty.With(new Member(idA, "a", (MemberStatus)42, 0));

        a.Send(b.LocalAddress, 0, new GossipEnvelope(idA, broken));
        a.Send(b.LocalAddress, 0, new Leave(idA));

        Assert.IsType<Leave>((await ReceiveAsync(b)).Message);
        Assert.Equal(1, a.Stats.Dropped);
        Assert.Contains("encoding a message to", Assert.Single(log.WithEvent(4109)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_BadAddressOrUnknownMessageKind_ThrowsAtOnce()
    {
        await using var a = new TcpClusterTransport(new NodeAddress("127.0.0.1", 0), Key, new TcpTransportOptions(), TimeProvider.System, new CollectingLogger());
        var from = new UniqueAddress(new NodeAddress("10.0.0.1", 7946), 1);

        Assert.Throws<ArgumentException>(() => a.Send(default, 0, new Leave(from)));
        Assert.Throws<ArgumentException>(() => a.Send(new NodeAddress("10.0.0.2", 0), 0, new Leave(from)));
        Assert.Throws<ArgumentException>(() => a.Send(new NodeAddress("10.0.0.2", 7946), 0, new UnknownMessage(from)));
    }

    [Fact]
    public void Constructor_MaxFrameSizeOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpClusterTransport(new NodeAddress("127.0.0.1", 0), new byte[32], 100, TimeProvider.System, new CollectingLogger()));
    }

    private sealed record UnknownMessage(UniqueAddress From) : ClusterMessage(From);
}

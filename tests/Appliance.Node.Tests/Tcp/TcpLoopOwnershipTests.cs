using System.Buffers.Binary;
using System.Net.Sockets;
using Appliance.Proxy.Tcp.Loop;
using Appliance.Tests.Support;
using static Appliance.Tests.Support.TcpTestClient;

namespace Appliance.Tests.Tcp;

/// <summary>
/// The event loop's descriptor-ownership rule under fire: while many connections stream data, other
/// threads cut random ones (Abort, CloseIdle) as the drain and the idle sweep do. Cut connections are
/// replaced at once, so descriptor numbers are reused constantly; if a cut ever closed a descriptor
/// outside its loop's thread, or an event reached a handler through a reused number, bytes would
/// arrive on the wrong connection. Every connection carries its own id in every 8-byte record, and
/// every byte received is checked. Counts this process's descriptors, so it runs alone.
/// </summary>
[Collection(nameof(SerialCollection))]
public sealed class TcpLoopOwnershipTests
{
    private const int Workers = 16;
    private const int Chunk = 16 * 1024;
    private const int TargetCuts = 400;

    [LoopEngineFact]
    public async Task CutsFromOtherThreadsWhileDataFlows_EveryByteReachesItsOwnConnection()
    {
        await using var backend = TcpTestBackend.Start("echo", static (_, socket) => TcpTestBackend.Echo(socket), backlog: 4096);
        var port = FreePort.Next();
        await using var node = await TestNode.StartAsync(TcpTestConfig.Create(port, [backend]));
        var listener = node.TcpListener();
        using (var warm = await ConnectAsync(port))
        {
            Assert.Equal("ok", await RoundTripAsync(warm, "ok")); // warm-up: first-use allocations are not leaks
        }

        await HttpTestHelpers.WaitUntilAsync(() => listener.Tracked == 0 && backend.Open == 0, Bound, "the warm-up connection is gone");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = OpenDescriptors();

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20)); // bounded however slow the machine is
        var nextId = 0;
        long verified = 0;
        var sawLoopConnection = false;
        var cuts = 0;

        async Task WorkerAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var id = Interlocked.Increment(ref nextId);
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                var sendBuffer = new byte[Chunk];
                var receiveBuffer = new byte[Chunk];
                var seq = 0;
                try
                {
                    // A cut can land before this side has seen its connect complete: that too is a reset.
                    await client.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port), stop.Token);
                    while (!stop.IsCancellationRequested)
                    {
                        for (var i = 0; i < Chunk; i += 8)
                        {
                            BinaryPrimitives.WriteInt32LittleEndian(sendBuffer.AsSpan(i), id);
                            BinaryPrimitives.WriteInt32LittleEndian(sendBuffer.AsSpan(i + 4), seq + (i / 8));
                        }

                        await client.SendAsync(sendBuffer, SocketFlags.None, stop.Token);
                        var got = 0;
                        while (got < Chunk)
                        {
                            var n = await client.ReceiveAsync(receiveBuffer.AsMemory(got), SocketFlags.None, stop.Token);
                            if (n == 0)
                            {
                                Verify(receiveBuffer, got, id, seq);
                                goto next; // cut with a FIN (CloseIdle)
                            }

                            got += n;
                        }

                        Verify(receiveBuffer, got, id, seq);
                        Interlocked.Add(ref verified, got);
                        seq += Chunk / 8;
                    }
                }
                catch (SocketException)
                {
                    // Cut with a reset (Abort): what arrived before it was verified chunk by chunk above.
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }

            next:;
            }
        }

        async Task CutterAsync()
        {
            var random = new Random(12345);
            while (!stop.IsCancellationRequested && Volatile.Read(ref cuts) < TargetCuts)
            {
                var open = listener.Connections;
                if (open.Count > 0)
                {
                    var victim = open.ElementAt(random.Next(open.Count));
                    sawLoopConnection |= victim is LoopConnection;
                    await Task.Run(() =>
                    {
                        if (random.Next(4) == 0)
                        {
                            victim.CloseIdle();
                        }
                        else
                        {
                            victim.Abort();
                        }
                    });
                    Interlocked.Increment(ref cuts);
                }

                await Task.Delay(random.Next(0, 3));
            }

            await stop.CancelAsync();
        }

        await Task.WhenAll([CutterAsync(), .. Enumerable.Range(0, Workers).Select(_ => Task.Run(WorkerAsync))]);

        Assert.True(sawLoopConnection, "the connections were not served by the event loop");
        Assert.True(Volatile.Read(ref cuts) >= 50, $"only {cuts} cuts happened in the time allowed");
        Assert.True(Interlocked.Read(ref verified) > 0, "no data was verified");
        await HttpTestHelpers.WaitUntilAsync(() => listener.Tracked == 0 && backend.Open == 0, TimeSpan.FromSeconds(20), "every connection is released");
        await HttpTestHelpers.WaitUntilAsync(() => OpenDescriptors() <= before + 5, TimeSpan.FromSeconds(10),
            $"descriptors return to the {before} open before (now {OpenDescriptors()})");
        Assert.Equal(0, node.Counts.Get("tcp/pool/echo"));
        Assert.Equal(0, node.TcpPools.Find("pool")!.Find("echo")!.Core.InFlight);
        Assert.Equal(0, listener.Active);
    }

    /// <summary>Every complete record received must be this connection's, in order.</summary>
    private static void Verify(byte[] buffer, int length, int id, int seq)
    {
        for (var i = 0; i + 8 <= length; i += 8)
        {
            var owner = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(i));
            var index = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(i + 4));
            Assert.True(owner == id && index == seq + (i / 8),
                $"connection {id} received record ({owner}, {index}) at offset {i}, expected ({id}, {seq + (i / 8)})");
        }
    }
}

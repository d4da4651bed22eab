using Appliance.Core.Security;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Appliance.Cluster.Transport;
using static Appliance.Tests.Transport.LoopbackKit;

namespace Appliance.Tests.Transport;

/// <summary>Measures process-wide allocations, so it runs alone.</summary>
[CollectionDefinition(nameof(TransportMemoryTests), DisableParallelization = true)]
public sealed class TransportMemoryCollection;

[Collection(nameof(TransportMemoryTests))]
public sealed class TransportMemoryTests
{
    [Fact(Timeout = 60_000)]
    public async Task Listener_ManyPeersAnnounceMaximumFramesButSendLittle_BuffersOnlyWhatArrived()
    {
        const int Connections = 40;
        await using var a = await StartAsync(ClusterKey.Generate());
        var announce = new byte[4 + (20 * 1024)]; // more than the pipe's first 16 KiB segment
        BinaryPrimitives.WriteUInt32BigEndian(announce, 1 << 20); // the maximum: accepted, then never completed
        var clients = new List<Socket>();
        try
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < Connections; i++)
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                clients.Add(client);
                await client.ConnectAsync(IPAddress.Loopback, a.LocalAddress.Port);
                await client.SendAsync(announce);
            }

            await EventuallyAsync(() => a.OpenInboundConnections == Connections, "all connections are open");
            await Task.Delay(500); // let every connection read what it was sent
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

            Assert.True(allocated < 8 << 20, $"{Connections} connections that sent 20 KiB each cost {allocated:N0} bytes");
            Assert.Equal(0, a.Stats.Rejected);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}

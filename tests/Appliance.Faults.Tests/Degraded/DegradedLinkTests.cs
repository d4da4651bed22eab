using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Appliance.Tests.Support;
using Appliance.Tests.Support.Degraded;
using Appliance.Tests.Support.Netns;
using Xunit.Abstractions;

namespace Appliance.Tests.Degraded;

/// <summary>
/// The netem substitute does what it claims, measured from outside it: between two namespaces
/// with both ends degraded (100 ms ± 20 ms, 5% loss on arrival), UDP echoes on the degraded port
/// come back about 200 ms later than before, about 1 in 10 is lost (5% each way), they overtake
/// each other, TCP's handshake takes a round trip of the new length, and traffic on other ports is
/// untouched.
/// </summary>
[Trait("Category", "Faults")]
public sealed class DegradedLinkTests(ITestOutputHelper output)
{
    private const int Port = 7946;
    private const int OtherPort = 7947;

    [DegradedLinkFact]
    public async Task DelayLossAndReordering_MeasuredByUdpEchoAndTcpConnect()
    {
        using var net = NetnsTopology.Create(balancers: 2, backends: 0);
        var (a, b) = (net.Balancers[0], net.Balancers[1]);
        using var echo = new UdpEcho(b, Port);
        using var otherEcho = new UdpEcho(b, OtherPort);
        using var listener = b.TcpSocket();
        listener.Bind(new IPEndPoint(IPAddress.Parse(b.Address), Port));
        listener.Listen(16);

        var before = await LinkProbe.UdpAsync(a, b, Port, count: 40);
        using (var linkA = DegradedLink.Apply(a, Port, LinkFaults.Degraded, seed: 1))
        using (var linkB = DegradedLink.Apply(b, Port, LinkFaults.Degraded, seed: 2))
        {
            var after = await LinkProbe.UdpAsync(a, b, Port, count: 600);
            var untouched = await LinkProbe.UdpAsync(a, b, OtherPort, count: 40);
            var connect = await ConnectTimes(a, b, count: 5);
            await Task.Delay(2_000); // quiet (late retransmissions and FINs through), so the counters and the delayer agree
            var (seenA, lostA) = linkA.Counters();
            var (seenB, lostB) = linkB.Counters();
            var nftLoss = (double)(lostA + lostB) / (seenA + seenB);
            var queue = linkB.QueueStats();

            Figures.Record(output, "degraded link", "UDP echo RTT before, median", before.Median, "ms");
            Figures.Record(output, "degraded link", "UDP echo RTT degraded, median", after.Median, "ms");
            Figures.Record(output, "degraded link", "UDP echo RTT degraded, min", after.Min, "ms");
            Figures.Record(output, "degraded link", "UDP echo RTT degraded, max", after.Max, "ms");
            Figures.Record(output, "degraded link", "UDP echoes lost (round trip)", after.LossRate * 100, "%");
            Figures.Record(output, "degraded link", "UDP echoes reordered", after.Reordered, "echoes");
            Figures.Record(output, "degraded link", "loss rule, per direction", nftLoss * 100, "%");
            Figures.Record(output, "degraded link", "TCP connect, median", connect, "ms");
            Figures.Record(output, "degraded link", "delayer release late, max", Math.Max(linkA.Delayer.MaxLate.TotalMilliseconds, linkB.Delayer.MaxLate.TotalMilliseconds), "ms");
            output.WriteLine($"queue on {b.Name}: waiting {queue.Waiting}, queue-dropped {queue.QueueDropped}, user-dropped {queue.UserDropped}; delayer overflows {linkA.Delayer.Overflows + linkB.Delayer.Overflows}");

            // Each packet is held 80..120 ms on each of two arrivals: a round trip takes 160..240 ms more,
            // plus whatever a loaded machine adds (never less), so only lower bounds are load-proof.
            Assert.True(after.Min >= 155, $"min RTT {after.Min:0.0} ms (before: median {before.Median:0.0} ms): the delay is not applied to every packet");
            Assert.True(after.Median >= 190, $"median RTT {after.Median:0.0} ms (before: {before.Median:0.0} ms)");
            // 5% each way: 1 - 0.95^2 = 9.75% of round trips lost; 600 probes give a standard deviation of 1.2 points.
            Assert.InRange(after.LossRate, 0.04, 0.17);
            Assert.InRange(nftLoss, 0.025, 0.085);
            Assert.True(after.Reordered > 0, "no echo overtook another: the jitter does not reorder");
            Assert.True(untouched.Median < 150 && untouched.LossRate == 0, $"port {OtherPort} must not be degraded: median {untouched.Median:0.0} ms, loss {untouched.LossRate:P1}");
            Assert.True(connect >= 150, $"TCP connect {connect:0.0} ms: the handshake is not delayed");
            // Every survivor of the loss rule went through the delayer (none passed by failing open).
            Assert.Equal(seenB - lostB, linkB.Delayer.Received);
            Assert.Equal(0, linkA.Delayer.Overflows + linkB.Delayer.Overflows);
        }

        // Removed: back to normal at once.
        var healed = await LinkProbe.UdpAsync(a, b, Port, count: 40);
        Assert.True(healed.Median < 150 && healed.LossRate == 0, $"after removal: median {healed.Median:0.0} ms, loss {healed.LossRate:P1}");
    }

    /// <summary>The median time of <paramref name="count"/> TCP connects to the degraded port (a handshake: one round trip).</summary>
    private static async Task<double> ConnectTimes(NetnsHost from, NetnsHost to, int count)
    {
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            using var socket = from.TcpSocket();
            var clock = Stopwatch.StartNew();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15)); // a lost SYN is resent after 1 s
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(to.Address), Port), timeout.Token);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[count / 2];
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.Tests.BadInput;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Pressure;

/// <summary>
/// Slowloris-style clients against a real node: headers trickled a line at a time and never
/// finished, or a body trickled far below any real upload's rate. The node must cut them (the
/// header timeout is 15 s, the minimum body rate 240 bytes/s after a 5 s grace) while other clients
/// and the admin API are served as usual.
/// </summary>
[Trait("Category", "Faults")]
[Collection(nameof(PressureCollection))]
public sealed class SlowClientTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(15);

    [FaultFact("slow clients, about 25 s")]
    public async Task SlowHeadersAndBodies_CutByTheirTimeouts_OtherClientsAndAdminServedMeanwhile()
    {
        const int SlowHeaders = 100;
        const int SlowBodies = 20;
        await using var backend = await FaultBackend.StartAsync("backend");
        await using var node = await NodeProcess.StartAsync(EdgeNodeFixture.Config(FreePort.Next(), backend));
        var clock = Stopwatch.StartNew();
        var cutAfter = new ConcurrentBag<(string Kind, TimeSpan After, string Answer)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var slow = Enumerable.Range(0, SlowHeaders).Select(i => TrickleAsync(node.HttpPort,
                $"GET /slow-headers-{i} HTTP/1.1\r\nHost: x\r\n", "X-Trickle: a\r\n", TimeSpan.FromSeconds(1), "headers", clock, cutAfter, stop.Token))
            .Concat(Enumerable.Range(0, SlowBodies).Select(i => TrickleAsync(node.HttpPort,
                $"POST /slow-body-{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", "0123456789", TimeSpan.FromSeconds(1), "body", clock, cutAfter, stop.Token)))
            .ToList();

        // Meanwhile: an ordinary client and the admin API, every 250 ms.
        var slowestRequest = TimeSpan.Zero;
        var slowestAdmin = TimeSpan.Zero;
        using var client = new HttpClient { BaseAddress = node.HttpUrl, Timeout = TimeSpan.FromSeconds(30) };
        while (slow.Any(t => !t.IsCompleted) && !stop.IsCancellationRequested)
        {
            var started = Stopwatch.StartNew();
            using (var response = await client.GetAsync(new Uri("/ordinary", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            slowestRequest = started.Elapsed > slowestRequest ? started.Elapsed : slowestRequest;
            started.Restart();
            using (var status = await node.Admin.GetAsync(new Uri("api/v1/status", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            }

            slowestAdmin = started.Elapsed > slowestAdmin ? started.Elapsed : slowestAdmin;
            await Task.Delay(250);
        }

        await Task.WhenAll(slow);
        var headers = cutAfter.Where(c => c.Kind == "headers").ToList();
        var bodies = cutAfter.Where(c => c.Kind == "body").ToList();
        Figures.Record(output, "slow clients", "slow-header connections cut after (latest)", headers.Max(c => c.After).TotalSeconds, "s");
        Figures.Record(output, "slow clients", "slow-body connections cut after (latest)", bodies.Max(c => c.After).TotalSeconds, "s");
        Figures.Record(output, "slow clients", "ordinary request, slowest meanwhile", slowestRequest.TotalMilliseconds, "ms");
        Figures.Record(output, "slow clients", "admin API, slowest meanwhile", slowestAdmin.TotalMilliseconds, "ms");
        output.WriteLine("answers to slow clients: " + string.Join(", ", cutAfter.GroupBy(c => c.Answer).Select(g => $"{g.Key} x{g.Count()}")));

        Assert.Equal(SlowHeaders, headers.Count);
        Assert.Equal(SlowBodies, bodies.Count);
        Assert.All(headers, c => Assert.InRange(c.After, HeaderTimeout - TimeSpan.FromSeconds(1), HeaderTimeout + TimeSpan.FromSeconds(10)));
        Assert.All(bodies, c => Assert.True(c.After < TimeSpan.FromSeconds(20), $"a slow body ran for {c.After.TotalSeconds:0} s"));
        Assert.DoesNotContain(backend.Paths, p => p.StartsWith("/slow-headers", StringComparison.Ordinal));
        Assert.DoesNotContain(backend.Completed, p => p.StartsWith("/slow-body", StringComparison.Ordinal));
        Assert.True(slowestRequest < TimeSpan.FromSeconds(5) && slowestAdmin < TimeSpan.FromSeconds(5),
            $"others waited {slowestRequest.TotalMilliseconds:0} ms (data) and {slowestAdmin.TotalMilliseconds:0} ms (admin)");
    }

    /// <summary>Writes <paramref name="head"/>, then <paramref name="drip"/> every <paramref name="every"/> until the node ends the connection.</summary>
    private static async Task TrickleAsync(int port, string head, string drip, TimeSpan every, string kind, Stopwatch clock,
        ConcurrentBag<(string, TimeSpan, string)> cut, CancellationToken stop)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port, stop);
        var started = clock.Elapsed;
        var answer = new StringBuilder();
        var reading = ReadUntilClosedAsync(socket, answer, stop);
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None, stop);
            while (!reading.IsCompleted)
            {
                await Task.WhenAny(reading, Task.Delay(every, stop));
                if (!reading.IsCompleted)
                {
                    await socket.SendAsync(Encoding.ASCII.GetBytes(drip), SocketFlags.None, stop);
                }
            }
        }
        catch (SocketException)
        {
            // closed under our feet: that is the cut
        }

        await reading;
        var status = HttpTestHelpers.StatusOf(answer.ToString());
        cut.Add((kind, clock.Elapsed - started, status == 0 ? "closed without an answer" : "HTTP " + status));
    }

    private static async Task ReadUntilClosedAsync(Socket socket, StringBuilder answer, CancellationToken stop)
    {
        var buffer = new byte[1024];
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop)) > 0)
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (SocketException)
        {
        }
    }
}

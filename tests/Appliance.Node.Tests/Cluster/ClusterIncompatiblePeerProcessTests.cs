using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cluster;

/// <summary>
/// A real applianced process next to peers it cannot form a cluster with: a node of the previous
/// release (its cluster port speaks 4-byte length-prefixed, HMAC-signed frames, not TLS) and a node
/// holding another cluster key. Neither may take the balancer down: it keeps serving through its
/// listener and its admin API, says what is wrong in one clear line, and counts it.
/// </summary>
public sealed partial class ClusterIncompatiblePeerProcessTests : IDisposable
{
    private readonly List<IDisposable> _cleanup = [];

    [GeneratedRegex(@"^(?<name>appliance_cluster_[a-z_]+)(?:\{outcome=""(?<outcome>[a-z_]+)""\})? (?<value>\d+)$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();

    private static long Metric(string metrics, string name, string? outcome = null) =>
        MetricLine().Matches(metrics)
            .Where(m => m.Groups["name"].Value == name && (outcome is null || m.Groups["outcome"].Value == outcome))
            .Select(m => long.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture))
            .Single();

    /// <summary>A stand-in for a node of the previous release: it reads what comes and answers nothing a TLS client understands, then closes (an old node drops a ClientHello as a bad frame).</summary>
    private (TcpListener Listener, string Address) StartOldNode()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _cleanup.Add(listener);
        _ = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            _ = await client.GetStream().ReadAsync(new byte[4096]);
                        }
                        catch (IOException)
                        {
                        }
                    }
                });
            }
        });
        return (listener, $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Bytes shaped like an old cluster frame: a 4-byte big-endian length, then that many bytes (random; the old codec is gone).</summary>
    private static byte[] OldFrame()
    {
        var body = RandomNumberGenerator.GetBytes(96);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    private static async Task SendOldFrameAsync(string clusterAddress)
    {
        var port = int.Parse(clusterAddress.Split(':')[1], CultureInfo.InvariantCulture);
        // Between two incarnations (each failed dial ends one) nothing listens: retry, as an old node would.
        var client = new TcpClient();
        for (var deadline = DateTime.UtcNow.AddSeconds(15); ; await Task.Delay(100))
        {
            try
            {
                await client.ConnectAsync("127.0.0.1", port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                client.Dispose();
                client = new TcpClient();
            }
        }

        using var connected = client;
        var stream = connected.GetStream();
        await stream.WriteAsync(OldFrame());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            _ = await stream.ReadAsync(new byte[256], cts.Token); // the node closes
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Both the listener (any HTTP answer: the backend is a closed port) and the admin API answer.</summary>
    private static async Task AssertServingAsync(ClusterNodes nodes, int index, HttpClient http, HttpClient admin)
    {
        using var proxied = await http.GetAsync(nodes.HttpUrl(index));
        Assert.True((int)proxied.StatusCode >= 200, $"the listener answered {(int)proxied.StatusCode}");
        using var status = await admin.GetAsync(new Uri("api/v1/status", UriKind.Relative));
        Assert.True(status.IsSuccessStatusCode, $"the admin API answered {(int)status.StatusCode}");
    }

    [Fact]
    public async Task NodeOfThePreviousRelease_DialsThisOne_OneClearThrottledLine_Counted_NodeKeepsServing()
    {
        using var nodes = new ClusterNodes(1);
        var node = nodes.Start(0);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var admin = new HttpClient { BaseAddress = nodes.AdminUrl(0), Timeout = TimeSpan.FromSeconds(10) };
        await node.WaitForOutputAsync("this node joined", 20_000);

        // The old node dials this one: an old frame at the TLS listener, again and again.
        for (var i = 0; i < 5; i++)
        {
            await SendOldFrameAsync(nodes.ClusterAddress(0));
            await AssertServingAsync(nodes, 0, http, admin);
        }

        await node.WaitForOutputAsync("127.0.0.1 spoke no TLS at the cluster port", 10_000);
        await AssertServingAsync(nodes, 0, http, admin);
        Assert.False(node.HasExited, "the node exited:\n" + node.Output);

        var output = node.Output;
        Assert.Contains("probably a node of an earlier release", output, StringComparison.Ordinal);
        Assert.Contains("upgrade both nodes of the pair, with the same key file", output, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(output, "spoke no TLS at the cluster port")); // throttled: one line per peer and 10 s
        Assert.DoesNotContain("NotSslRecordException", output, StringComparison.Ordinal); // DotNetty's own errors drop to Debug
        var metrics = await admin.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Equal(5, Metric(metrics, "appliance_cluster_handshakes_total", "no_tls"));
        Assert.Equal(1, Metric(metrics, "appliance_cluster_incarnations_total")); // an inbound stranger never costs an incarnation
        Assert.Equal(0, Metric(metrics, "appliance_cluster_incarnations_lost_total"));
    }

    [Fact]
    public async Task ThisNodeDialsANodeOfThePreviousRelease_OneClearThrottledLine_Counted_FreshIncarnations_NodeKeepsServing()
    {
        var (_, oldAddress) = StartOldNode();
        using var nodes = new ClusterNodes(1);
        nodes.Customize = (_, config) => ((JsonArray)config["Cluster"]!["Seeds"]!).Add(oldAddress);
        var node = nodes.Start(0);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var admin = new HttpClient { BaseAddress = nodes.AdminUrl(0), Timeout = TimeSpan.FromSeconds(10) };
        await node.WaitForOutputAsync("serving 1 listener(s)", 20_000);

        // The old node is in the seeds: it answers this node's ClientHello by closing.
        await node.WaitForOutputAsync($"{oldAddress} closed the TLS handshake this node began", 20_000);
        for (var i = 0; i < 30; i++)
        {
            await AssertServingAsync(nodes, 0, http, admin); // served all the while
            await Task.Delay(100);
        }

        Assert.False(node.HasExited, "the node exited:\n" + node.Output);
        var output = node.Output;
        Assert.Contains("probably a node of an earlier release", output, StringComparison.Ordinal);
        Assert.Contains("upgrade both nodes of the pair, with the same key file", output, StringComparison.Ordinal);
        Assert.InRange(Regex.Count(output, "closed the TLS handshake this node began"), 1, 2); // throttled
        var metrics = await admin.GetStringAsync(new Uri("metrics", UriKind.Relative));
        var closed = Metric(metrics, "appliance_cluster_handshakes_total", "peer_closed");
        Assert.True(closed >= 1, metrics);

        // Each failed dial ends the ActorSystem (Akka 1.5.75, exit code 79) and costs one incarnation,
        // replaced with backoff; nothing else restarts it.
        var lost = Metric(metrics, "appliance_cluster_incarnations_lost_total");
        Assert.InRange(lost, 1, closed);
        Assert.InRange(Metric(metrics, "appliance_cluster_incarnations_total"), lost, lost + 1);
        Assert.Contains("exit code 79", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PeerWithAnotherKey_DialledByAHealthyNode_FreshIncarnations_KeepsServingThroughout()
    {
        using var nodes = new ClusterNodes(2);
        // The peer holds another key and listens first; the healthy node has it in its seeds and dials it.
        var stranger = nodes.Start(1, nodes.WriteKey("wrong.key", ClusterNodes.NewKey()));
        await stranger.WaitForOutputAsync("Remoting started", 20_000);
        var healthy = nodes.Start(0);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var admin = new HttpClient { BaseAddress = nodes.AdminUrl(0), Timeout = TimeSpan.FromSeconds(10) };
        await healthy.WaitForOutputAsync("serving 1 listener(s)", 20_000);
        await AssertServingAsync(nodes, 0, http, admin);

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var checks = 0;
        while (DateTime.UtcNow < until && !(healthy.Output.Contains("incarnation 2 ended", StringComparison.Ordinal) && checks > 20))
        {
            await AssertServingAsync(nodes, 0, http, admin); // served all the while
            checks++;
            await Task.Delay(100);
        }

        await healthy.WaitForOutputAsync("refused a TLS handshake", 5_000);
        await healthy.WaitForOutputAsync("after an outbound TLS handshake failed (exit code 79)", 5_000);
        await healthy.WaitForOutputAsync("the node keeps serving and starts a fresh one", 5_000);
        await AssertServingAsync(nodes, 0, http, admin);
        Assert.False(healthy.HasExited, "the healthy node exited:\n" + healthy.Output);

        var metrics = await admin.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.True(Metric(metrics, "appliance_cluster_incarnations_lost_total") >= 1, metrics);
        Assert.True(Metric(metrics, "appliance_cluster_handshakes_total", "refused") >= 1, metrics);
        Assert.DoesNotContain("member lb2", healthy.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var d in _cleanup)
        {
            d.Dispose();
        }
    }
}

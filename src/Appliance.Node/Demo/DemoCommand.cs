using Appliance.Core.Security;
using System.Net;
using System.Net.Sockets;
using Appliance.Cluster.Hosting;
using Appliance.Core.Configuration;
using Appliance.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Appliance.Core.Membership;

namespace Appliance.Node.Demo;

/// <summary>
/// <c>applianced demo</c>: three demo backends and three balancer nodes in front of them, forming
/// a cluster that shares sticky sessions and connection counts, all on loopback, no root, no
/// files (the cluster key lives in memory). Prints what to try and stops cleanly on Ctrl-C.
/// </summary>
internal static class DemoCommand
{
    public const int Nodes = 3;
    private static readonly TimeSpan ClusterFormTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(int port, int adminPort, CancellationToken cancel)
    {
        if (PortProblem(port, adminPort) is { } problem)
        {
            await Console.Error.WriteLineAsync("applianced demo: " + problem).ConfigureAwait(false);
            return RunCommand.StartFailed;
        }

        var backends = new List<DemoBackend>();
        var nodes = new List<WebApplication>();
        try
        {
            for (var i = 1; i <= 3; i++)
            {
                backends.Add(await DemoBackend.StartAsync($"backend-{i}").ConfigureAwait(false));
            }

            var key = ClusterKey.Generate();
            var clusterPorts = Enumerable.Range(0, Nodes).Select(_ => AnyFreePort()).ToList();
            for (var n = 0; n < Nodes; n++)
            {
                var config = DemoConfig.Node(n, port + n, adminPort + n, clusterPorts, backends);
                var node = await NodeHost.BuildAsync(config, configPath: null, LogLevel.Warning, key).ConfigureAwait(false);
                nodes.Add(node);
                await node.StartAsync(cancel).ConfigureAwait(false);
            }

            Console.WriteLine("demo: forming the cluster of three nodes...");
            if (!await ClusterFormedAsync(nodes, cancel).ConfigureAwait(false))
            {
                await Console.Error.WriteLineAsync($"applianced demo: the three nodes did not form a cluster within {ClusterFormTimeout.TotalSeconds} s; see the messages above.").ConfigureAwait(false);
                return RunCommand.StartFailed;
            }

            PrintWelcome(port, adminPort, backends);
            await nodes[0].WaitForShutdownAsync(cancel).ConfigureAwait(false);
            Console.WriteLine("demo stopped.");
            return 0;
        }
        finally
        {
            // Stop the nodes together (each leaves the cluster gracefully, bounded), then the backends.
            await Task.WhenAll(nodes.Select(n => n.StopAsync(CancellationToken.None))).ConfigureAwait(false);
            foreach (var node in nodes)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var backend in backends)
            {
                await backend.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Every node sees all three Up and holds the cluster's state (when replication runs).</summary>
    private static async Task<bool> ClusterFormedAsync(List<WebApplication> nodes, CancellationToken cancel)
    {
        var clusters = nodes.Select(n => (n.Services.GetRequiredService<ClusterHost>(), n.Services.GetService<IStateSyncStatus>())).ToList();
        var deadline = DateTime.UtcNow + ClusterFormTimeout;
        while (DateTime.UtcNow < deadline && !cancel.IsCancellationRequested)
        {
            if (clusters.All(c => c.Item2?.IsStateSynced != false && c.Item1.Current.Members.Count(m => m.Status == MemberStatus.Up) == Nodes))
            {
                return true;
            }

            await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
        }

        return false;
    }

    private static void PrintWelcome(int port, int adminPort, List<DemoBackend> backends)
    {
        string Url(int p) => $"http://127.0.0.1:{p}";
        var nodeLines = Enumerable.Range(0, Nodes).Select(n => $"  {DemoConfig.NodeName(n),-4} {Url(port + n),-24} admin and dashboard {Url(adminPort + n)}/");
        var url = Url(port);
        var admin = Url(adminPort);
        Console.WriteLine($"""

            Appliance demo is running: three balancer nodes in one cluster, sharing sticky sessions
            and connection counts, in front of {backends.Count} backends:
            {string.Join(Environment.NewLine, nodeLines)}
            {string.Join(Environment.NewLine, backends.Select(b => $"  {b.Name,-10} {b.Url}"))}

            Try:
              curl {url}/                         round robin: run it a few times, the backend changes
              curl {url}/echo                     what the backend received (X-Forwarded-* headers set by the balancer)
              curl -c /tmp/jar -b /tmp/jar {url}/sticky/   sticky session: the same backend every time
              curl -b /tmp/jar {Url(port + 1)}/sticky/             the same session through lb2: still the same backend
              curl -b /tmp/jar {Url(port + 2)}/sticky/             ... and through lb3
              curl {url}/hash/anything?user=42    consistent hash on the path: the same path, the same backend
              curl -i {url}/limited/              rate limited to 5 requests/s per client (burst 10): then 429

            Watch and manage it:
              {admin}/                  the dashboard (open it in a browser)
              appliancectl --node {admin} backends       backends, health and requests/s
              appliancectl --node {admin} backend drain web/backend-1
              curl {admin}/api/v1/cluster/members     the three members
              curl {admin}/api/v1/cluster/replication replicated sessions and traffic
              curl {admin}/metrics             Prometheus metrics
            Stop with Ctrl-C.
            """);
    }

    /// <summary>The three balancer ports and the three admin ports must be free (and distinct).</summary>
    private static string? PortProblem(int port, int adminPort)
    {
        if (Math.Abs(port - adminPort) < Nodes)
        {
            return $"--port {port} and --admin-port {adminPort} overlap: the demo uses {Nodes} consecutive ports from each.";
        }

        if (port + Nodes - 1 > 65535 || adminPort + Nodes - 1 > 65535)
        {
            return $"the demo needs {Nodes} consecutive ports from --port and from --admin-port, below 65536.";
        }

        for (var n = 0; n < Nodes; n++)
        {
            if (!PortIsFree(port + n))
            {
                return $"port {port + n} on 127.0.0.1 is in use (the demo's nodes use {port}-{port + Nodes - 1}); pick another with --port.";
            }

            if (!PortIsFree(adminPort + n))
            {
                return $"admin port {adminPort + n} on 127.0.0.1 is in use (the demo's nodes use {adminPort}-{adminPort + Nodes - 1}); pick another with --admin-port.";
            }
        }

        return null;
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int AnyFreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

using System.Net;
using System.Net.Sockets;
using Appliance.Core.Configuration;
using Appliance.Node.Hosting;
using Microsoft.Extensions.Hosting;

namespace Appliance.Node.Demo;

/// <summary>
/// <c>applianced demo</c>: three demo backends and a balancer in front of them, all on loopback,
/// no root, no files. Prints what to try and stops cleanly on Ctrl-C.
/// </summary>
internal static class DemoCommand
{
    public static async Task<int> RunAsync(int port, int adminPort, CancellationToken cancel)
    {
        if (!PortIsFree(port))
        {
            await Console.Error.WriteLineAsync($"applianced demo: port {port} on 127.0.0.1 is in use; pick another with --port.").ConfigureAwait(false);
            return RunCommand.StartFailed;
        }

        if (adminPort == port || !PortIsFree(adminPort))
        {
            await Console.Error.WriteLineAsync($"applianced demo: admin port {adminPort} on 127.0.0.1 is in use; pick another with --admin-port.").ConfigureAwait(false);
            return RunCommand.StartFailed;
        }

        var backends = new List<DemoBackend>();
        try
        {
            for (var i = 1; i <= 3; i++)
            {
                backends.Add(await DemoBackend.StartAsync($"backend-{i}").ConfigureAwait(false));
            }

            var loaded = ConfigLoader.Parse(DemoConfig.Json(port, adminPort, backends));
            if (loaded.Config is not { } config)
            {
                throw new InvalidOperationException("demo configuration invalid: " + string.Join("; ", loaded.Errors));
            }

            await using var node = await NodeHost.BuildAsync(config, configPath: null).ConfigureAwait(false);
            await node.StartAsync(cancel).ConfigureAwait(false);
            PrintWelcome(port, adminPort, backends);
            await node.WaitForShutdownAsync(cancel).ConfigureAwait(false);
            Console.WriteLine("demo stopped.");
            return 0;
        }
        finally
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static void PrintWelcome(int port, int adminPort, List<DemoBackend> backends)
    {
        var url = $"http://127.0.0.1:{port}";
        var admin = $"http://127.0.0.1:{adminPort}";
        Console.WriteLine($"""

            Appliance demo is running: a balancer on {url} in front of {backends.Count} backends:
            {string.Join(Environment.NewLine, backends.Select(b => $"  {b.Name,-10} {b.Url}"))}

            Try:
              curl {url}/                         round robin: run it a few times, the backend changes
              curl {url}/echo                     what the backend received (X-Forwarded-* headers set by the balancer)
              curl -c /tmp/jar -b /tmp/jar {url}/sticky/   sticky session: the same backend every time
              curl {url}/hash/anything?user=42    consistent hash on the path: the same path, the same backend
              curl -i {url}/limited/              rate limited to 5 requests/s per client (burst 10): then 429

            Watch and manage it:
              {admin}/                  the dashboard (open it in a browser)
              appliancectl --node {admin} backends       backends, health and requests/s
              appliancectl --node {admin} backend drain web/backend-1
              curl {admin}/metrics             Prometheus metrics
            Stop with Ctrl-C.
            """);
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
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Tests.Support;

/// <summary>
/// Loopback ports the OS says are free right now, never the same one twice in a test process: the
/// kernel may hand a just-released ephemeral port out again at once, and two of our listeners
/// (a node's data and admin listeners, say) would then collide.
/// </summary>
internal static class FreePort
{
    private static readonly ConcurrentDictionary<int, byte> Given = new();

    public static int Next()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (Given.TryAdd(port, 0) || attempt >= 100)
            {
                return port;
            }
        }
    }
}

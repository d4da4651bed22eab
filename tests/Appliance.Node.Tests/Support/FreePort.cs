using System.Net;
using System.Net.Sockets;

namespace Appliance.Tests.Support;

/// <summary>Loopback ports the OS says are free right now.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

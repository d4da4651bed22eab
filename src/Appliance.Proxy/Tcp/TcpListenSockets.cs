using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Appliance.Core.Configuration;

namespace Appliance.Proxy.Tcp;

/// <summary>Creates the listening sockets for a TCP listener address (one, or two for <c>localhost</c>).</summary>
internal static class TcpListenSockets
{
    /// <summary>Binds and listens; on failure every socket opened so far is closed and an <see cref="IOException"/> names the address.</summary>
    public static List<Socket> Bind(string address, bool freeBind)
    {
        if (!EndpointParser.TryParseEndpoint(address, out var host, out var port))
        {
            throw new FormatException($"'{address}' is not host:port; validation should have refused it.");
        }

        var sockets = new List<Socket>();
        try
        {
            foreach (var endpoint in EndPoints(host, port))
            {
                var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                if (endpoint.Address.Equals(IPAddress.IPv6Any))
                {
                    socket.DualMode = true;
                }

                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (freeBind && OperatingSystem.IsLinux())
                {
                    LinuxSocketOptions.EnableFreeBind(socket);
                }

                socket.Bind(endpoint);
                socket.Listen(int.MaxValue); // the kernel caps it at net.core.somaxconn
            }

            return sockets;
        }
        catch (SocketException e)
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }

            throw new IOException($"Failed to bind the TCP listener to {address}: {e.Message}", e);
        }
    }

    /// <summary>True when <paramref name="address"/> is a wildcard or is on one of this machine's interfaces now.</summary>
    public static bool IsLocal(string address)
    {
        if (!EndpointParser.TryParseEndpoint(address, out var host, out _) || host is EndpointParser.AnyHost or EndpointParser.LocalhostHost)
        {
            return true;
        }

        var ip = IPAddress.Parse(host);
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        return NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Any(unicast => unicast.Address.Equals(ip));
    }

    private static IEnumerable<IPEndPoint> EndPoints(string host, int port) => host switch
    {
        EndpointParser.AnyHost => [new IPEndPoint(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, port)],
        EndpointParser.LocalhostHost => Socket.OSSupportsIPv6
            ? [new IPEndPoint(IPAddress.Loopback, port), new IPEndPoint(IPAddress.IPv6Loopback, port)]
            : [new IPEndPoint(IPAddress.Loopback, port)],
        _ => [new IPEndPoint(IPAddress.Parse(host), port)],
    };
}

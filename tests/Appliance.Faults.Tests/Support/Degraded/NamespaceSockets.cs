using System.Net.Sockets;
using Appliance.Tests.Support.Netns;

namespace Appliance.Tests.Support.Degraded;

/// <summary>Sockets of kinds <see cref="NetnsHost"/> does not make, created by a short-lived thread inside the host's namespace.</summary>
internal static class NamespaceSockets
{
    /// <summary>A UDP socket that lives in <paramref name="host"/>'s namespace.</summary>
    public static Socket UdpSocket(this NetnsHost host)
    {
        using var inside = new NamespaceThread(host.Namespace);
        return inside.Invoke(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
    }
}

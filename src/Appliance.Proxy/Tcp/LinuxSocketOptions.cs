using System.Net.Sockets;
using System.Runtime.Versioning;

namespace Appliance.Proxy.Tcp;

/// <summary>Linux socket options .NET has no name for.</summary>
[SupportedOSPlatform("linux")]
internal static class LinuxSocketOptions
{
    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int IpFreeBind = 15;
    private const int Ipv6FreeBind = 78;

    /// <summary>
    /// IP_FREEBIND (and IPV6_FREEBIND on IPv6 sockets): bind succeeds for an address the node does not
    /// hold yet, and the socket receives traffic as soon as the address is added (a VIP taken over).
    /// </summary>
    public static void EnableFreeBind(Socket socket)
    {
        Span<byte> one = [1, 0, 0, 0];
        socket.SetRawSocketOption(SolIp, IpFreeBind, one);
        if (socket.AddressFamily == AddressFamily.InterNetworkV6)
        {
            try
            {
                socket.SetRawSocketOption(SolIpv6, Ipv6FreeBind, one);
            }
            catch (SocketException)
            {
                // Kernels before 4.15 lack IPV6_FREEBIND; IP_FREEBIND above covers IPv6 binds there too.
            }
        }
    }
}

using System.Net;
using System.Runtime.Versioning;

namespace Appliance.Vip.Linux;

/// <summary>Adds, removes and lists addresses over a NETLINK_ROUTE socket; errors come back as errno values.</summary>
[SupportedOSPlatform("linux")]
internal sealed class NetlinkClient : IDisposable
{
    private readonly NetlinkSocketHandle _socket = NetlinkSocketHandle.Open(TimeSpan.FromSeconds(2));
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _seq;

    /// <summary>0 on success, else the errno (17 EEXIST on add, 99 EADDRNOTAVAIL on remove are the benign ones).</summary>
    public int Change(bool add, int ifIndex, IPAddress address, int prefix, string? label)
    {
        _socket.Send(NetlinkAddressMessage.Build(add, ++_seq, ifIndex, address, prefix, label));
        while (true)
        {
            var n = _socket.Receive(_buffer);
            if (NetlinkReply.Parse(_buffer.AsSpan(0, n), null, out _) is { } errno)
            {
                return errno;
            }
        }
    }

    /// <summary>Every address of the family (2 = IPv4, 10 = IPv6) on every interface.</summary>
    public List<NetlinkAddress> List(byte family)
    {
        _socket.Send(NetlinkAddressMessage.Dump(++_seq, family));
        var found = new List<NetlinkAddress>();
        var done = false;
        while (!done)
        {
            var n = _socket.Receive(_buffer);
            if (NetlinkReply.Parse(_buffer.AsSpan(0, n), found, out done) is { } errno && errno != 0)
            {
                throw new IOException($"netlink address dump failed with errno {errno}");
            }
        }

        return found;
    }

    public void Dispose() => _socket.Dispose();
}

using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Appliance.Vip.Linux;

/// <summary>
/// A NETLINK_ROUTE socket opened through libc: .NET's Socket rejects AF_NETLINK
/// ("Address family not supported by protocol"), so the few calls needed are imported here.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed partial class NetlinkSocketHandle : SafeHandle
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkRoute = 0;
    private const int SolSocket = 1;
    private const int SoRcvtimeo = 20;

    public NetlinkSocketHandle()
        : base(-1, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == -1;

    /// <summary>Opens the socket with a receive timeout, so a lost answer cannot hang the VIP loop.</summary>
    public static NetlinkSocketHandle Open(TimeSpan receiveTimeout)
    {
        var h = Socket(AfNetlink, SockRaw | SockCloexec, NetlinkRoute);
        if (h.IsInvalid)
        {
            throw new IOException($"cannot open a netlink socket: errno {Marshal.GetLastPInvokeError()}");
        }

        Span<long> tv = [(long)receiveTimeout.TotalSeconds, receiveTimeout.Milliseconds * 1000L];
        _ = SetSockOpt(h, SolSocket, SoRcvtimeo, MemoryMarshal.AsBytes(tv), 16);
        return h;
    }

    /// <summary>Sends one request to the kernel (pid 0).</summary>
    public void Send(ReadOnlySpan<byte> message)
    {
        Span<byte> kernel = stackalloc byte[12];
        kernel.Clear();
        kernel[0] = AfNetlink;
        if (SendTo(this, message, (nint)message.Length, 0, kernel, 12) < 0)
        {
            throw new IOException($"netlink send failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Receives one datagram; throws on timeout.</summary>
    public int Receive(Span<byte> buffer)
    {
        var n = Recv(this, buffer, (nint)buffer.Length, 0);
        return n >= 0 ? (int)n : throw new IOException($"netlink receive failed: errno {Marshal.GetLastPInvokeError()}");
    }

    protected override bool ReleaseHandle() => Close((int)handle) == 0;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial NetlinkSocketHandle Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(NetlinkSocketHandle s, int level, int name, ReadOnlySpan<byte> value, int length);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static partial nint SendTo(NetlinkSocketHandle s, ReadOnlySpan<byte> buffer, nint length, int flags, ReadOnlySpan<byte> address, int addressLength);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Recv(NetlinkSocketHandle s, Span<byte> buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}

using System.Runtime.InteropServices;

namespace Appliance.Tests.Support.Degraded;

/// <summary>
/// A NETLINK_NETFILTER socket through libc (.NET's Socket refuses AF_NETLINK). It belongs to the
/// network namespace of the thread that opens it, for good, whichever thread uses it afterwards.
/// </summary>
internal sealed partial class NfqSocket : SafeHandle
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkNetfilter = 12;
    private const int SolSocket = 1;
    private const int SoRcvtimeo = 20;
    private const int SoRcvbufforce = 33;
    public const int Eagain = 11;
    public const int Eintr = 4;
    public const int Enobufs = 105;

    public NfqSocket()
        : base(-1, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == -1;

    /// <summary>
    /// Opens the socket with a receive timeout (so the receiving thread can notice a stop) and a
    /// large receive buffer (as root), so bursts of queued packets do not overflow it.
    /// </summary>
    public static NfqSocket Open(TimeSpan receiveTimeout, int receiveBuffer)
    {
        var s = Socket(AfNetlink, SockRaw | SockCloexec, NetlinkNetfilter);
        if (s.IsInvalid)
        {
            throw new IOException($"cannot open a NETLINK_NETFILTER socket: errno {Marshal.GetLastPInvokeError()}");
        }

        Span<long> tv = [(long)receiveTimeout.TotalSeconds, receiveTimeout.Milliseconds * 1000L];
        _ = SetSockOpt(s, SolSocket, SoRcvtimeo, MemoryMarshal.AsBytes(tv), 16);
        Span<int> size = [receiveBuffer];
        _ = SetSockOpt(s, SolSocket, SoRcvbufforce, MemoryMarshal.AsBytes(size), 4);
        return s;
    }

    /// <summary>Sends one datagram (one or more messages) to the kernel.</summary>
    public void Send(ReadOnlySpan<byte> messages)
    {
        Span<byte> kernel = stackalloc byte[12]; // sockaddr_nl: family, pad, pid 0, groups 0
        kernel.Clear();
        kernel[0] = AfNetlink;
        if (SendTo(this, messages, messages.Length, 0, kernel, 12) < 0)
        {
            throw new IOException($"netlink send failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Receives one datagram: its length, or -errno (EAGAIN after the timeout, ENOBUFS after an overflow).</summary>
    public int Receive(Span<byte> buffer)
    {
        var n = Recv(this, buffer, buffer.Length, 0);
        return n >= 0 ? (int)n : -Marshal.GetLastPInvokeError();
    }

    protected override bool ReleaseHandle() => Close((int)handle) == 0;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial NfqSocket Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(NfqSocket s, int level, int name, ReadOnlySpan<byte> value, int length);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static partial nint SendTo(NfqSocket s, ReadOnlySpan<byte> buffer, nint length, int flags, ReadOnlySpan<byte> address, int addressLength);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Recv(NfqSocket s, Span<byte> buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}

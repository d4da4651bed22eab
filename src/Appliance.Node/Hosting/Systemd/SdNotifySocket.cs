using System.Net.Sockets;
using System.Text;

namespace Appliance.Node.Hosting.Systemd;

/// <summary>
/// The sending end of systemd's notification protocol (sd_notify(3)): each message is one
/// datagram of newline-separated <c>KEY=VALUE</c> assignments sent to the Unix socket named by
/// <c>$NOTIFY_SOCKET</c>. A name starting with '@' is in the abstract namespace (its '@' stands
/// for the leading NUL byte). No reply comes back.
/// </summary>
internal sealed class SdNotifySocket : IDisposable
{
    /// <summary>The variable systemd sets for a <c>Type=notify</c> service.</summary>
    public const string Variable = "NOTIFY_SOCKET";

    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _target;

    public SdNotifySocket(string address)
    {
        Address = address;
        _target = ParseAddress(address);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>The address as given (a path, or '@' and an abstract name).</summary>
    public string Address { get; }

    /// <summary>The socket named by <c>$NOTIFY_SOCKET</c>, or null when it is unset or empty (not run by systemd as a notify service).</summary>
    public static SdNotifySocket? FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } address ? new SdNotifySocket(address) : null;

    /// <summary>
    /// The endpoint for an address: an absolute path, or '@name' for the abstract namespace.
    /// Throws <see cref="ArgumentException"/> with the reason for anything else (systemd's
    /// <c>vsock:</c> addresses, relative paths), which the caller reports.
    /// </summary>
    public static UnixDomainSocketEndPoint ParseAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Length > 1 && address[0] == '@')
        {
            return new UnixDomainSocketEndPoint("\0" + address[1..]);
        }

        if (address.Length > 0 && address[0] == '/')
        {
            return new UnixDomainSocketEndPoint(address);
        }

        throw new ArgumentException($"{Variable}='{address}' is neither an absolute socket path nor an '@' abstract name; only those are supported.", nameof(address));
    }

    /// <summary>Sends one message; throws <see cref="SocketException"/> when the socket is gone.</summary>
    public void Send(string message)
    {
        _socket.SendTo(Encoding.UTF8.GetBytes(message), SocketFlags.None, _target);
    }

    public void Dispose() => _socket.Dispose();
}

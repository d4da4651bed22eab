using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Appliance.Node.Demo;

namespace Appliance.Tests.Support.Netns;

/// <summary>
/// One host of a <see cref="NetnsTopology"/>: a network namespace with <c>eth0</c> on the shared
/// bridge. Processes start inside it through <c>ip netns exec</c>; sockets (HTTP clients, Kestrel
/// backends) are made inside it by a thread that joined it.
/// </summary>
internal sealed class NetnsHost : IDisposable
{
    private readonly Lazy<NamespaceThread> _thread;

    public NetnsHost(string name, string netns, string address, string switchPort)
    {
        Name = name;
        Namespace = netns;
        Address = address;
        SwitchPort = switchPort;
        _thread = new(() => new NamespaceThread(netns));
    }

    /// <summary>Its role in the test, e.g. "lb1", "backend1", "client".</summary>
    public string Name { get; }

    /// <summary>The unique namespace name.</summary>
    public string Namespace { get; }

    /// <summary>Its address on the bridge (198.18.1.0/24).</summary>
    public string Address { get; }

    /// <summary>Its veth's end inside the switch namespace (what a link-down cuts).</summary>
    public string SwitchPort { get; }

    /// <summary>Runs <c>ip ARGS</c> inside this namespace (<c>ip -n NS ...</c>).</summary>
    public string Ip(params string[] args) => NetnsTopology.Ip(["-n", Namespace, .. args]);

    /// <summary>The MAC address of its eth0.</summary>
    public string Mac => NetnsTopology.ParseMac(Ip("-o", "link", "show", "eth0"), "link/ether")
        ?? throw new InvalidOperationException($"{Name}: eth0 has no MAC");

    /// <summary>Whether <paramref name="address"/> (no prefix) is on its eth0 now.</summary>
    public bool HasAddress(string address) =>
        Ip("-o", "addr", "show", "dev", "eth0").Contains($" {address}/", StringComparison.Ordinal);

    /// <summary>The MAC its neighbour table holds for <paramref name="ip"/>, null when it has none (or a failed one).</summary>
    public string? NeighbourMac(string ip) => NetnsTopology.ParseMac(Ip("neigh", "show", ip, "dev", "eth0"), "lladdr");

    /// <summary>A real applianced process inside this namespace.</summary>
    public DaemonProcess StartDaemon(params string[] args) => DaemonProcess.StartUnder(["ip", "netns", "exec", Namespace], args);

    /// <summary>A TCP socket that lives in this namespace.</summary>
    public Socket TcpSocket() => _thread.Value.Invoke(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));

    /// <summary>A demo backend (real Kestrel) listening on this host's address.</summary>
    public async Task<DemoBackend> StartBackendAsync(string name, int port)
    {
        using var listener = TcpSocket();
        listener.Bind(new IPEndPoint(IPAddress.Parse(Address), port));
        listener.Listen(512);
        var handle = NetnsNative.Dup((int)listener.Handle);
        if (handle < 0)
        {
            throw new IOException("dup failed");
        }

        return await DemoBackend.StartOnHandleAsync(name, (ulong)handle, new Uri($"http://{Address}:{port.ToString(CultureInfo.InvariantCulture)}/"));
    }

    /// <summary>An HttpClient whose connections start in this namespace (keep-alive, no cookies, no proxy).</summary>
    public HttpClient HttpClient(TimeSpan timeout) => new(new SocketsHttpHandler
    {
        UseCookies = false,
        UseProxy = false,
        ConnectTimeout = timeout,
        ConnectCallback = async (context, cancel) =>
        {
            var socket = TcpSocket();
            try
            {
                socket.NoDelay = true;
                await socket.ConnectAsync(context.DnsEndPoint, cancel);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { Timeout = timeout };

    public void Dispose()
    {
        if (_thread.IsValueCreated)
        {
            _thread.Value.Dispose();
        }
    }
}

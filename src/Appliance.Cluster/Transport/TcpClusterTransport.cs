using Appliance.Core.Security;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Wire;
using Microsoft.Extensions.Logging;

namespace Appliance.Cluster.Transport;

/// <summary>
/// <see cref="IClusterTransport"/> over TCP: a listener for inbound frames and, per peer address,
/// one outbound connection opened on first send. Every frame is authenticated with the cluster
/// key (HMAC-SHA256) and carries a sequence number against replay; rejected frames are counted in
/// <see cref="Stats"/>, logged (throttled, never with key or frame bytes) and close their
/// connection, and the node carries on. Wire format: docs/cluster.md, "Transport and security".
/// </summary>
public sealed class TcpClusterTransport : IClusterTransport
{
    private readonly NodeAddress _bind;
    private readonly TransportContext _context;
    private readonly FrameDecoder _decoder;
    private readonly InboundQueue _incoming;
    private readonly ConcurrentDictionary<NodeAddress, PeerConnection> _peers = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationToken _stoppingToken;
    private Socket? _listener;
    private AcceptLoop? _acceptLoop;
    private Task _acceptTask = Task.CompletedTask;
    private int _disposed;

    /// <summary>Creates a transport that will listen on <paramref name="bind"/> once started.</summary>
    /// <param name="bind">Listening address: an IP, <c>0.0.0.0</c> or <c>::</c> for all, or a host name; port 0 picks a free one (see <see cref="LocalAddress"/>).</param>
    /// <param name="key">The shared cluster key (the same on every node).</param>
    /// <param name="options">Limits and timings; validated here.</param>
    /// <param name="timeProvider">Clock for timeouts, backoff and log throttling.</param>
    /// <param name="logger">Where connection changes and rejections are reported.</param>
    public TcpClusterTransport(NodeAddress bind, ClusterKey key, TcpTransportOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _bind = bind;
        LocalAddress = bind;
        _context = new TransportContext(options, key, timeProvider, logger);

        // A restarted peer answers our seeds at once, but our answers would wait out the backoff
        // (up to 5 s) that its downtime built up, long enough for it to give up and form a
        // cluster of its own: hearing from it ends the backoff.
        _context.PeerHeard = address =>
        {
            if (_peers.TryGetValue(address, out var peer))
            {
                peer.Kick();
            }
        };
        _decoder = new FrameDecoder(key, options.MaxFrameSize, new ReplayWindow(options.ReplayWindowSenders), _context.Stats);
        _incoming = new InboundQueue(options.IncomingCapacity, _context.Stats);
        _stoppingToken = _stopping.Token;
    }

    /// <summary>Creates a transport with default options but for the maximum frame size.</summary>
    /// <param name="bind">Listening address.</param>
    /// <param name="key">Raw cluster key bytes, at least <see cref="ClusterKey.MinimumLength"/>.</param>
    /// <param name="maxFrameSize">Largest accepted frame length field, in bytes.</param>
    /// <param name="timeProvider">Clock for timeouts, backoff and log throttling.</param>
    /// <param name="logger">Where connection changes and rejections are reported.</param>
    public TcpClusterTransport(NodeAddress bind, byte[] key, int maxFrameSize, TimeProvider timeProvider, ILogger logger)
        : this(bind, ClusterKey.FromBytes(key), new TcpTransportOptions { MaxFrameSize = maxFrameSize }, timeProvider, logger)
    {
    }

    /// <summary>Where the transport listens; after <see cref="StartAsync"/> it carries the real port (useful with port 0).</summary>
    public NodeAddress LocalAddress { get; private set; }

    /// <inheritdoc />
    public ChannelReader<InboundMessage> Incoming => _incoming;

    /// <inheritdoc />
    public TransportStats Stats => _context.Stats;

    /// <inheritdoc />
    public event Action<NodeAddress>? Refused
    {
        add => _context.Refused += value;
        remove => _context.Refused -= value;
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_listener is not null)
        {
            throw new InvalidOperationException("The cluster transport is already started.");
        }

        var endpoint = new IPEndPoint(await ResolveBindAddressAsync(_bind.Host, cancellationToken).ConfigureAwait(false), _bind.Port);
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(endpoint);
            listener.Listen(128);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"Cannot listen for cluster traffic on {_bind}: {e.Message}. Is another node or program using the port?", e);
        }

        _listener = listener;
        LocalAddress = _bind with { Port = ((IPEndPoint)listener.LocalEndPoint!).Port };
        _acceptLoop = new AcceptLoop(listener, socket => new InboundConnection(socket, _decoder, _incoming, _context), _context);
        _acceptTask = Task.Run(() => _acceptLoop.RunAsync(_stoppingToken), CancellationToken.None);
        TransportLog.Listening(_context.Logger, LocalAddress.ToString(), _context.Options.MaxFrameSize);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The address has no host or port, or the message kind has no wire form (bugs in the caller).</exception>
    public void Send(NodeAddress to, ulong toUid, ClusterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrEmpty(to.Host) || to.Port is < 1 or > 65535)
        {
            throw new ArgumentException($"'{to.Host}:{to.Port}' is not an address a message can be sent to: it needs a host and a port of 1..65535.", nameof(to));
        }

        if (!WireEncoder.CanEncode(message))
        {
            throw new ArgumentException($"{message.GetType().Name} has no wire form; add it to cluster.proto and WireEncoder.", nameof(message));
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        _peers.GetOrAdd(to, static (address, self) => new PeerConnection(address, self._context, self._stoppingToken), this).Enqueue(toUid, message);
    }

    /// <summary>Messages queued for <paramref name="to"/> and not yet written (tests, visibility).</summary>
    internal int PendingTo(NodeAddress to) => _peers.TryGetValue(to, out var peer) ? peer.Pending : 0;

    /// <summary>Whether an outbound connection to <paramref name="to"/> is open right now.</summary>
    internal bool IsConnectedTo(NodeAddress to) => _peers.TryGetValue(to, out var peer) && peer.IsConnected;

    /// <summary>Inbound connections open right now.</summary>
    internal int OpenInboundConnections => _acceptLoop?.OpenConnections ?? 0;

    /// <summary>Stops listening, closes every connection, and completes <see cref="Incoming"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        await _acceptTask.ConfigureAwait(false);
        if (_acceptLoop is not null)
        {
            await _acceptLoop.DrainAsync().ConfigureAwait(false);
        }

        foreach (var peer in _peers.Values)
        {
            await peer.DisposeAsync().ConfigureAwait(false);
        }

        _incoming.Complete();
        _stopping.Dispose();
        if (_listener is not null)
        {
            TransportLog.Stopped(_context.Logger, LocalAddress.ToString());
        }
    }

    private static async Task<IPAddress> ResolveBindAddressAsync(string host, CancellationToken cancellationToken)
    {
        if (host is "" or "*" or "::")
        {
            return IPAddress.IPv6Any;
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        return addresses.Length > 0
            ? addresses[0]
            : throw new IOException($"Cannot listen for cluster traffic on {host}: the name resolves to no address.");
    }
}

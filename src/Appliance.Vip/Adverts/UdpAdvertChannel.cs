using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Appliance.Vip.Adverts;

/// <summary>
/// The VIP layer's own advert channel (docs/vips.md, "Adverts"): UDP, unicast to every peer (or
/// one multicast datagram), every <see cref="AdvertChannelSettings.Interval"/> and at once when
/// this node's stand changes. Two dedicated threads, so a busy thread pool neither delays an
/// advert nor makes a peer look silent: the sender, and the receiver, which judges silence only
/// after it has drained the socket (a stall of this process reads the queued adverts first).
/// </summary>
internal sealed class UdpAdvertChannel : IVipAdvertChannel, IDisposable
{
    private readonly AdvertChannelSettings _settings;
    private readonly byte[] _key;
    private readonly Func<IReadOnlyList<IPEndPoint>> _peers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly ReplayGuard _guard;
    private readonly AutoResetEvent _wake = new(false);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<string?>> _moves = new();
    private readonly ulong _incarnation;
    private readonly Thread _sender;
    private readonly Thread _receiver;
    private volatile ImmutableDictionary<string, HeardAdvert> _heard = ImmutableDictionary.Create<string, HeardAdvert>(StringComparer.Ordinal);
    private volatile IReadOnlyList<VipClaim>? _local;
    private volatile bool _changed;
    private long _sequence;
    private ulong _moveIds;

    public UdpAdvertChannel(AdvertChannelSettings settings, byte[] key, Func<IReadOnlyList<IPEndPoint>> peers, TimeProvider time, ILogger logger)
    {
        _settings = settings;
        _key = key;
        _peers = peers;
        _time = time;
        _logger = logger;
        _guard = new ReplayGuard(settings.SilenceAfter * 4 + TimeSpan.FromSeconds(2));
        // Unix ms at start: a restarted node's adverts outrank the old run's (ReplayGuard).
        _incarnation = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds();
        _socket = Open(settings);
        _sender = new Thread(SendLoop) { IsBackground = true, Name = "vip-advert-send", Priority = ThreadPriority.AboveNormal };
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "vip-advert-receive", Priority = ThreadPriority.AboveNormal };
    }

    /// <summary>Raised on the receive thread when a peer's stand changed or it fell silent (or spoke again).</summary>
    public event Action? Changed;

    /// <summary><c>vip move</c> relayed here from another node: null when this node gives the VIP up, else why not.</summary>
    public Func<MoveRequest, string?>? MoveHandler { get; set; }

    public AdvertStats Stats { get; } = new();

    public IReadOnlyDictionary<string, HeardAdvert> Peers => _heard;

    public EndPoint LocalEndPoint => _socket.LocalEndPoint!;

    public void Start()
    {
        _sender.Start();
        _receiver.Start();
    }

    public void Publish(IReadOnlyList<VipClaim> vips)
    {
        if (_local is { } last && last.SequenceEqual(vips))
        {
            return;
        }

        _local = vips;
        _changed = true;
        _wake.Set();
    }

    /// <summary>Asks <paramref name="holder"/> at <paramref name="at"/> to move <paramref name="vip"/>; its answer, or why there is none.</summary>
    public async Task<string?> RelayMoveAsync(string holder, IPEndPoint at, string vip, string? to, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _moveIds);
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _moves[id] = answer;
        try
        {
            SendTo(new AdvertFrameContent(_settings.Self, _incarnation, NextSequence(), Move: new MoveRequest(id, vip, to)), at);
            var done = await Task.WhenAny(answer.Task, Task.Delay(timeout, _time)).ConfigureAwait(false);
            return done == answer.Task ? await answer.Task.ConfigureAwait(false)
                : $"{holder} holds {vip} but did not answer the relayed move within {timeout.TotalSeconds:0.#} s: run the move against {holder}'s admin API.";
        }
        finally
        {
            _moves.TryRemove(id, out _);
        }
    }

    private static Socket Open(AdvertChannelSettings settings)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (settings.Multicast is { } m)
            {
                // A group's datagrams arrive only on a socket bound to the wildcard (or the group).
                socket.Bind(new IPEndPoint(IPAddress.Any, settings.Port));
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(m.Group, m.InterfaceIndex));
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(m.InterfaceIndex));
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, false);
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 1);
            }
            else
            {
                socket.Bind(new IPEndPoint(settings.Bind, settings.Port));
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private ulong NextSequence() => (ulong)Interlocked.Increment(ref _sequence);

    private void SendLoop()
    {
        var clock = Stopwatch.StartNew();
        var next = TimeSpan.Zero;
        while (!_stop.IsCancellationRequested)
        {
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero && !_changed)
            {
                _wake.WaitOne(wait);
                continue;
            }

            _changed = false;
            next = clock.Elapsed + _settings.Interval;
            if (_local is not { } local)
            {
                continue;
            }

            byte[] frame;
            try
            {
                frame = AdvertFrame.Encode(new AdvertFrameContent(_settings.Self, _incarnation, NextSequence(), Vips: local), _key);
            }
            catch (ArgumentException e)
            {
                Stats.SendFailed();
                AdvertLog.CannotEncode(_logger, e.Message);
                continue;
            }

            if (_settings.Multicast is { } m)
            {
                Send(frame, new IPEndPoint(m.Group, _settings.Port));
            }
            else
            {
                foreach (var peer in PeersThisRound())
                {
                    Send(frame, peer);
                }
            }
        }
    }

    /// <summary>Where to send this round; a failing source (the membership view) costs one round, never the thread.</summary>
    private IReadOnlyList<IPEndPoint> PeersThisRound()
    {
        try
        {
            return _peers();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Stats.SendFailed();
            if (Stats.ShouldLog("peers", _time.GetUtcNow()))
            {
                AdvertLog.LoopFailed(_logger, "send", e.GetType().Name + ": " + e.Message);
            }

            return [];
        }
    }

    private void SendTo(AdvertFrameContent content, EndPoint to) => Send(AdvertFrame.Encode(content, _key), to);

    private void Send(byte[] frame, EndPoint to)
    {
        try
        {
            _socket.SendTo(frame, SocketFlags.None, to);
            Stats.Sent();
        }
        catch (SocketException e)
        {
            // Unreachable network, refused (an ICMP from an earlier datagram), buffer full: the
            // next interval tries again; a peer that never hears us judges us by our silence.
            Stats.SendFailed();
            if (Stats.ShouldLog("send " + to, _time.GetUtcNow()))
            {
                AdvertLog.SendFailed(_logger, to.ToString() ?? "?", e.SocketErrorCode.ToString());
            }
        }
        catch (ObjectDisposedException)
        {
            // Stopping.
        }
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[AdvertFrame.MaxLength + 1];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        var pollMicros = (int)Math.Max(1000, _settings.Interval.TotalMicroseconds / 2);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (_socket.Poll(pollMicros, SelectMode.SelectRead))
                {
                    var from = any;
                    var n = _socket.ReceiveFrom(buffer, SocketFlags.None, ref from);
                    Handle(buffer.AsSpan(0, n), (IPEndPoint)from);
                }

                if (_socket.Available == 0)
                {
                    JudgeSilence();
                }
            }
            catch (SocketException)
            {
                // ECONNREFUSED from an ICMP port unreachable of an earlier send, and the like:
                // nothing to read; the next receive goes on.
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A handler of Changed, or a bug here: one datagram lost, never the node.
                if (Stats.ShouldLog("receive", _time.GetUtcNow()))
                {
                    AdvertLog.LoopFailed(_logger, "receive", e.GetType().Name + ": " + e.Message);
                }
            }
        }
    }

    private void Handle(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        var now = _time.GetUtcNow();
        var rejection = AdvertFrame.TryDecode(datagram, _key, out var content, out var detail);
        if (rejection != AdvertRejection.None || content is null)
        {
            Stats.Rejected(rejection);
            if (Stats.ShouldLog(rejection.ToString(), now))
            {
                AdvertLog.Rejected(_logger, from.ToString(), Describe(rejection), detail ?? "");
            }

            return;
        }

        if (content.Sender == _settings.Self)
        {
            return; // our own, looped back (multicast) or a misconfigured twin
        }

        switch (_guard.Check(content.Sender, content.Incarnation, content.Sequence, now))
        {
            case ReplayVerdict.Replayed:
                Stats.Replayed();
                return;
            case ReplayVerdict.Stale:
            case ReplayVerdict.Full:
                Stats.Stale();
                return;
            default:
                Stats.Received();
                break;
        }

        if (content.Vips is { } vips)
        {
            var heard = _heard;
            var before = heard.GetValueOrDefault(content.Sender);
            _heard = heard.SetItem(content.Sender, new HeardAdvert(vips, now));
            if (before is null || before.Silent || !before.Vips.SequenceEqual(vips))
            {
                Changed?.Invoke();
            }
        }
        else if (content.Move is { } move)
        {
            var refusal = MoveHandler is { } handler ? handler(move) : "VIPs are not running on this node.";
            SendTo(new AdvertFrameContent(_settings.Self, _incarnation, NextSequence(), Answer: new MoveAnswer(move.Id, refusal)), from);
        }
        else if (content.Answer is { } answer && _moves.TryGetValue(answer.Id, out var waiting))
        {
            waiting.TrySetResult(answer.Refusal);
        }
    }

    private static string Describe(AdvertRejection r) => r switch
    {
        AdvertRejection.Signature => "wrong signature (another cluster key, or altered on the way)",
        AdvertRejection.Version => "unknown version",
        AdvertRejection.Magic => "not a VIP advert",
        AdvertRejection.Size => "size out of bounds",
        _ => "malformed body",
    };

    /// <summary>Marks peers silent past the threshold (and prunes ones long gone); raises <see cref="Changed"/> on any change.</summary>
    private void JudgeSilence()
    {
        var now = _time.GetUtcNow();
        var heard = _heard;
        var changed = false;
        foreach (var (name, advert) in heard)
        {
            var silent = now - advert.At > _settings.SilenceAfter;
            if (silent != advert.Silent)
            {
                heard = heard.SetItem(name, advert with { Silent = silent });
                changed = true;
                if (silent)
                {
                    Stats.WentSilent();
                }
            }
        }

        if (changed)
        {
            _heard = heard;
            Changed?.Invoke();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _wake.Set();
        _socket.Dispose();
        if (_sender.IsAlive)
        {
            _sender.Join(TimeSpan.FromSeconds(1));
        }

        if (_receiver.IsAlive)
        {
            _receiver.Join(TimeSpan.FromSeconds(1));
        }

        _wake.Dispose();
        _stop.Dispose();
    }
}

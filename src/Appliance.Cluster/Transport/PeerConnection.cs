using System.Net.Sockets;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;

namespace Appliance.Cluster.Transport;

/// <summary>
/// The outbound side towards one peer address: a bounded queue and one TCP connection, opened on
/// the first send and reopened with backoff after a failure. Only this node writes on it; the
/// peer answers over its own connection to our listener. Queued messages wait while the peer is
/// unreachable; when the queue is full the oldest gossip goes first.
/// </summary>
internal sealed partial class PeerConnection : IAsyncDisposable
{
    /// <summary>A connection that lived this long was healthy; its end resets the reconnect backoff.</summary>
    private static readonly TimeSpan HealthyConnection = TimeSpan.FromSeconds(1);

    private readonly NodeAddress _address;
    private readonly TransportContext _context;
    private readonly DropOldestQueue<OutboundMessage> _queue;
    private readonly CancellationTokenSource _stop;
    private readonly ReconnectBackoff _backoff;
    private Task _loop = Task.CompletedTask;
    private int _started;
    private volatile bool _disposed;
    private volatile bool _connected;
    private CancellationTokenSource? _backoffWait;

    public PeerConnection(NodeAddress address, TransportContext context, CancellationToken transportStopping)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(transportStopping);
        _address = address;
        _context = context;
        _queue = new DropOldestQueue<OutboundMessage>(context.Options.SendQueueCapacity, m => InboundQueue.IsExpendable(m.Message));
        _backoff = new ReconnectBackoff(context.Options.ReconnectMinDelay, context.Options.ReconnectMaxDelay, Random.Shared);
    }

    /// <summary>Messages waiting to be written.</summary>
    public int Pending => _queue.Count;

    /// <summary>Whether a connection is open right now.</summary>
    public bool IsConnected => _connected;

    public void Enqueue(ulong toUid, ClusterMessage message)
    {
        if (_disposed)
        {
            return;
        }

        if (!_queue.Enqueue(new OutboundMessage(toUid, message)) && !_disposed)
        {
            _context.Stats.Drop();
            if (_context.RejectionLog.ShouldLog("queue " + _address, out _))
            {
                TransportLog.SendQueueFull(_context.Logger, _address.ToString(), _queue.Capacity, _context.Stats.Dropped);
            }
        }

        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _loop = Task.Run(RunAsync);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _queue.Complete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Supervises the connection loop: a bug inside it is logged and the loop started again after a pause, so one peer never goes silent for good.</summary>
    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await ConnectAndSendAsync().ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                TransportLog.Unexpected(_context.Logger, e, "sending to " + _address);
            }

            try
            {
                await Task.Delay(_context.Options.ReconnectMaxDelay, _context.Time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Connects when there is something to send, writes until the connection ends, backs off, repeats; returns once the queue is completed.</summary>
    private async Task ConnectAndSendAsync()
    {
        var unreachableReported = false;
        while (await _queue.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
        {
            var (socket, failure) = await ConnectAsync().ConfigureAwait(false);
            if (socket is null)
            {
                if (!unreachableReported)
                {
                    unreachableReported = true;
                    TransportLog.PeerUnreachable(_context.Logger, _address.ToString(), failure!, (long)_context.Options.ReconnectMaxDelay.TotalMilliseconds);
                }

                await BackOffAsync().ConfigureAwait(false);
                continue;
            }

            if (unreachableReported)
            {
                unreachableReported = false;
                TransportLog.PeerConnected(_context.Logger, _address.ToString());
            }

            var opened = _context.Time.GetTimestamp();
            string reason;
            _connected = true;
            try
            {
                reason = await PumpAsync(socket).ConfigureAwait(false);
            }
            finally
            {
                _connected = false;
            }

            TransportLog.PeerDisconnected(_context.Logger, _address.ToString(), reason);

            // A connection that lived a while was healthy: reconnect fast (that first attempt is
            // also what finds a crashed peer's port refused, see IClusterTransport.Refused). One
            // that died at once (the peer closes on us, e.g. a key mismatch) keeps backing off.
            if (_context.Time.GetElapsedTime(opened) >= HealthyConnection)
            {
                _backoff.Reset();
            }

            await BackOffAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The peer was heard from (it reached our listener): stop waiting and connect now.</summary>
    public void Kick()
    {
        try
        {
            Volatile.Read(ref _backoffWait)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the wait just ended by itself
        }
    }

    /// <summary>Waits the next backoff delay, or less when <see cref="Kick"/> says the peer is back (the backoff then starts over).</summary>
    private async Task BackOffAsync()
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        Volatile.Write(ref _backoffWait, wait);
        try
        {
            await Task.Delay(_backoff.Next(), _context.Time, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            _backoff.Reset();
        }
        finally
        {
            Interlocked.CompareExchange(ref _backoffWait, null, wait);
        }
    }

    private async Task<(Socket? Socket, string? Failure)> ConnectAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = new CancellationTokenSource(_context.Options.ConnectTimeout, _context.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
            await socket.ConnectAsync(_address.Host, _address.Port, linked.Token).ConfigureAwait(false);
            return (socket, null);
        }
        catch (Exception e) when (!_stop.IsCancellationRequested && e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                _context.Refused?.Invoke(_address);
            }

            return (null, e is SocketException s ? s.Message : $"no connection within {_context.Options.ConnectTimeout.TotalMilliseconds} ms");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private readonly record struct OutboundMessage(ulong ToUid, ClusterMessage Message);
}

using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Appliance.Cluster.Transport;

/// <summary>
/// Accepts cluster connections and runs an <see cref="InboundConnection"/> for each, up to the
/// configured number at once; beyond that, new connections are closed on accept.
/// </summary>
internal sealed class AcceptLoop
{
    private readonly Socket _listener;
    private readonly Func<Socket, InboundConnection> _createConnection;
    private readonly TransportContext _context;
    private readonly ConcurrentDictionary<Task, byte> _connections = new();

    public AcceptLoop(Socket listener, Func<Socket, InboundConnection> createConnection, TransportContext context)
    {
        _listener = listener;
        _createConnection = createConnection;
        _context = context;
    }

    public int OpenConnections => _connections.Count;

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && stopping.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException e)
            {
                // Out of descriptors and the like: wait a little rather than spin.
                TransportLog.Unexpected(_context.Logger, e, "accepting connections");
                await Task.Delay(TimeSpan.FromMilliseconds(100), _context.Time, stopping).ConfigureAwait(false);
                continue;
            }

            if (_connections.Count >= _context.Options.MaxInboundConnections)
            {
                var remote = InboundConnection.RemoteText(socket);
                if (_context.RejectionLog.ShouldLog("limit " + remote, out _))
                {
                    TransportLog.TooManyConnections(_context.Logger, remote, _connections.Count, _context.Options.MaxInboundConnections);
                }

                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            var connection = _createConnection(socket);
            var task = Task.Run(() => connection.RunAsync(stopping), CancellationToken.None);
            _connections.TryAdd(task, 0);
            _ = task.ContinueWith(t => _connections.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Waits for the open connections to finish (they end when the stopping token fires).</summary>
    public Task DrainAsync() => Task.WhenAll(_connections.Keys);
}

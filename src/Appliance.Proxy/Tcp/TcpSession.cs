using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// One client connection from accept to close: a listener slot, the trusted PROXY header, a
/// backend connection, the outbound PROXY header, then the pump. Everything it took (slots, gauges,
/// sockets, buffers) is given back in one place when it ends, however it ends.
/// </summary>
internal sealed class TcpSession(TcpListenerRuntime listener, Socket client) : ITcpConnection
{
    private readonly SocketEnd _client = new(client);
    private SocketEnd? _backend;
    private int _aborted;
    private volatile bool _pumping;

    public ActivityClock Clock { get; } = new();

    /// <summary>True once bytes flow; only then does the idle timeout apply (setup has its own timeouts).</summary>
    public bool IsPumping => _pumping;

    public bool IsIdle(long nowMs, long timeoutMs) => Clock.IsIdle(nowMs, timeoutMs);

    /// <summary>Nothing to do: setup waits on the listener's stopping token, which gives up by itself.</summary>
    public void CancelSetup()
    {
    }

    /// <summary>Cuts the connection with a reset on both sides (drain timeout passed).</summary>
    public void Abort()
    {
        Interlocked.Exchange(ref _aborted, 1);
        _client.Abort();
        Interlocked.CompareExchange(ref _backend, null, null)?.Abort();
    }

    /// <summary>Closes an idle connection cleanly: a FIN to both sides, after which the pump ends by itself.</summary>
    public void CloseIdle()
    {
        _client.Shutdown();
        _backend?.Shutdown();
    }

    /// <summary>
    /// Serves the connection to its end; never throws. Runs synchronously up to the backend connect,
    /// so the accept loop calls it directly instead of paying a thread-pool hand-off per connection.
    /// </summary>
    public async Task RunAsync()
    {
        var services = listener.Services;
        var options = listener.Options;
        var remote = client.RemoteEndPoint as IPEndPoint;
        TcpPoolRuntime? pool = null;
        TcpBackendRuntime? backend = null;
        byte[]? early = null;
        var earlyLength = 0;
        var haveSlot = false;
        try
        {
            if (remote is null || !(haveSlot = await listener.AcquireSlotAsync().ConfigureAwait(false)))
            {
                Refuse(remote, "the listener is at MaxConnections and its queue is full or timed out");
                return;
            }

            client.NoDelay = true;
            var source = remote;
            var destination = client.LocalEndPoint as IPEndPoint;
            if (options.AcceptProxyProtocol is { } accept && listener.Trusted.Contains(remote.Address))
            {
                var read = await ProxyHeaderReader.ReadAsync(client, accept.HeaderTimeout, listener.Stopping).ConfigureAwait(false);
                if (read.Status != ProxyParseStatus.Done)
                {
                    Refuse(remote, "no valid PROXY protocol header from a trusted front");
                    return;
                }

                (early, earlyLength) = (read.Leftover, read.LeftoverLength);
                if (read.Header.HasAddresses)
                {
                    (source, destination) = (read.Header.Source!, read.Header.Destination!);
                }
            }

            pool = services.Pools.Find(options.Pool);
            var dialed = pool is null ? null : await listener.Dialer.DialAsync(pool, source.Address, listener.Stopping).ConfigureAwait(false);
            if (dialed is not var (socket, chosen))
            {
                Refuse(remote, "no backend of the pool could take the connection");
                return;
            }

            backend = chosen;
            services.Counts.Add(backend.Key, 1);
            var backendEnd = new SocketEnd(socket);
            Interlocked.Exchange(ref _backend, backendEnd);
            if (Volatile.Read(ref _aborted) != 0)
            {
                backendEnd.Abort(); // cut while connecting
                return;
            }

            await SendPreambleAsync(backendEnd, pool!.Options.SendProxyProtocol, source, destination, early, earlyLength).ConfigureAwait(false);
            Clock.Touch();
            _pumping = true;

            // TcpPump.RunAsync's two directions, started here to spare each connection a state machine.
            var down = TcpPump.CopyAsync(backendEnd, _client, Clock);
            await TcpPump.CopyAsync(_client, backendEnd, Clock).ConfigureAwait(false);
            await down.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (listener.Stopping.IsCancellationRequested)
        {
            Abort(); // still queued or connecting when the listener stopped
        }
        catch (SocketException)
        {
            Abort(); // the backend reset before the preamble went through
        }
#pragma warning disable CA1031 // a connection must never take the listener down; log and cut it
        catch (Exception e)
#pragma warning restore CA1031
        {
            TcpLog.SessionFailed(services.Logger, e, listener.Name, remote?.ToString() ?? "?");
            Abort();
        }
        finally
        {
            _client.Dispose();
            _backend?.Dispose();
            if (early is not null)
            {
                ArrayPool<byte>.Shared.Return(early);
            }

            if (backend is not null)
            {
                services.Counts.Add(backend.Key, -1);
                backend.Core.Release();
                pool!.SignalSlotFreed();
            }

            if (haveSlot)
            {
                listener.ReleaseSlot();
            }

            listener.Forget(this);
        }
    }

    /// <summary>The PROXY header the pool asks for and the bytes that came with a front's header, in one send.</summary>
    private static async ValueTask SendPreambleAsync(
        SocketEnd backend, string version, IPEndPoint source, IPEndPoint? destination, byte[]? early, int earlyLength)
    {
        if (!ProxyHeaderWriter.Wanted(version) && earlyLength == 0)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(ProxyHeaderWriter.MaxLength + earlyLength);
        try
        {
            var length = ProxyHeaderWriter.WriteFor(version, buffer, source, destination);
            early.AsSpan(0, earlyLength).CopyTo(buffer.AsSpan(length));
            await backend.SendAsync(buffer.AsMemory(0, length + earlyLength)).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Refuse(IPEndPoint? remote, string reason)
    {
        listener.RecordRefused();
        TcpLog.ConnectionRefused(listener.Services.Logger, listener.Name, remote?.ToString() ?? "?", reason);
        _client.Abort();
    }
}

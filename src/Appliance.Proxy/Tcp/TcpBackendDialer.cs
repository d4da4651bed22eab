using System.Net;
using System.Net.Sockets;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// Gets a new connection to a backend of a pool: selection (waiting in the pool's queue while every
/// eligible backend is full), connect with the pool's timeout, and on failure the next backend, up
/// to the pool's retries. Connect outcomes feed the passive check.
/// </summary>
internal sealed class TcpBackendDialer(TcpServices services)
{
    private const int RaceRetries = 3;

    /// <summary>The connected socket and its backend (whose slot is held), or null when none could be reached.</summary>
    public async Task<(Socket Socket, TcpBackendRuntime Backend)?> DialAsync(TcpPoolRuntime pool, IPAddress client, CancellationToken stop)
    {
        List<TcpBackendRuntime>? tried = null;
        var deadline = services.Time.GetUtcNow() + pool.Options.Queue.Timeout;
        for (var attempt = 0; ; attempt++)
        {
            var selection = await SelectAsync(pool, client, tried, deadline, stop).ConfigureAwait(false);
            if (selection.Backend is not { } backend)
            {
                return null;
            }

            var options = pool.Options;
            var socket = await TcpConnector.ConnectAsync(backend.EndPoint, options.ConnectTimeout, stop).ConfigureAwait(false);
            var now = services.Time.GetUtcNow();
            if (socket is not null)
            {
                backend.RecordConnect(failed: false, options.PassiveHealthCheck, now);
                if (!selection.FromPin)
                {
                    services.Selector.Pin(pool, client, backend, now);
                }

                return (socket, backend);
            }

            backend.Core.Counters.RecordTransportError();
            if (backend.RecordConnect(failed: true, options.PassiveHealthCheck, now))
            {
                TcpLog.PassivelyDown(services.Logger, pool.Id, backend.Id, options.PassiveHealthCheck.ReactivationPeriod);
            }

            backend.Core.Release();
            pool.SignalSlotFreed();
            if (attempt >= options.Retries)
            {
                return null;
            }

            backend.Core.Counters.RecordRetry();
            (tried ??= []).Add(backend);
        }
    }

    private async ValueTask<TcpSelection> SelectAsync(
        TcpPoolRuntime pool, IPAddress client, List<TcpBackendRuntime>? tried, DateTimeOffset deadline, CancellationToken stop)
    {
        var selector = services.Selector;
        while (true)
        {
            for (var i = 0; i < RaceRetries; i++)
            {
                var selection = selector.Select(pool, client, tried, services.Time.GetUtcNow());
                if (selection.Outcome != TcpSelectionOutcome.AllFull)
                {
                    return selection;
                }
            }

            var waiter = pool.Queue.TryEnter(pool.Options.Queue.MaxLength);
            if (waiter is null)
            {
                return TcpSelection.None;
            }

            try
            {
                // A slot may have freed between the last try and joining the queue.
                var late = selector.Select(pool, client, tried, services.Time.GetUtcNow());
                if (late.Outcome != TcpSelectionOutcome.AllFull)
                {
                    return late;
                }

                var remaining = deadline - services.Time.GetUtcNow();
                if (remaining <= TimeSpan.Zero || !await pool.Queue.WaitAsync(waiter, remaining, services.Time, stop).ConfigureAwait(false))
                {
                    return TcpSelection.None;
                }
            }
            finally
            {
                pool.Queue.Leave();
            }
        }
    }
}

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

            var socket = await TcpConnector.ConnectAsync(backend.EndPoint, pool.Options.ConnectTimeout, stop).ConfigureAwait(false);
            if (socket is not null)
            {
                Connected(pool, selection, client);
                return (socket, backend);
            }

            if (!ConnectFailed(pool, backend, attempt))
            {
                return null;
            }

            (tried ??= []).Add(backend);
        }
    }

    /// <summary>A connect to the selected backend succeeded: feeds the passive check and pins the client.</summary>
    public void Connected(TcpPoolRuntime pool, TcpSelection selection, IPAddress client)
    {
        var now = services.Time.GetUtcNow();
        var backend = selection.Backend!;
        backend.RecordConnect(failed: false, pool.Options.PassiveHealthCheck, now);
        if (!selection.FromPin)
        {
            services.Selector.Pin(pool, client, backend, now);
        }
    }

    /// <summary>
    /// A connect failed or timed out: counts it, feeds the passive check, gives the backend's slot
    /// back. True when the pool's retries allow another backend (the caller adds this one to the
    /// tried list); <paramref name="attempt"/> counts from 0.
    /// </summary>
    public bool ConnectFailed(TcpPoolRuntime pool, TcpBackendRuntime backend, int attempt)
    {
        var options = pool.Options;
        backend.Core.Counters.RecordTransportError();
        if (backend.RecordConnect(failed: true, options.PassiveHealthCheck, services.Time.GetUtcNow()))
        {
            TcpLog.PassivelyDown(services.Logger, pool.Id, backend.Id, options.PassiveHealthCheck.ReactivationPeriod);
        }

        backend.Core.Release();
        pool.SignalSlotFreed();
        if (attempt >= options.Retries)
        {
            return false;
        }

        backend.Core.Counters.RecordRetry();
        return true;
    }

    /// <summary>Selection without waiting: a few tries (a slot may free between them); <see cref="TcpSelectionOutcome.AllFull"/> means queue.</summary>
    public TcpSelection TrySelect(TcpPoolRuntime pool, IPAddress client, List<TcpBackendRuntime>? tried)
    {
        var selection = TcpSelection.Full;
        for (var i = 0; i < RaceRetries && selection.Outcome == TcpSelectionOutcome.AllFull; i++)
        {
            selection = services.Selector.Select(pool, client, tried, services.Time.GetUtcNow());
        }

        return selection;
    }

    private async ValueTask<TcpSelection> SelectAsync(
        TcpPoolRuntime pool, IPAddress client, List<TcpBackendRuntime>? tried, DateTimeOffset deadline, CancellationToken stop)
    {
        var selector = services.Selector;
        while (true)
        {
            var selection = TrySelect(pool, client, tried);
            if (selection.Outcome != TcpSelectionOutcome.AllFull)
            {
                return selection;
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

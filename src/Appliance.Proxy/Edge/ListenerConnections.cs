using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Appliance.Proxy.Edge;

/// <summary>
/// Client connections of every HTTP listener: a Kestrel connection middleware counts each one and,
/// when the listener has a <c>MaxConnections</c>, closes those beyond it at once, before TLS or HTTP
/// parsing costs anything. This keeps a flood of clients from taking every file descriptor of the
/// process, which the admin API, the cluster transport and the backend connections need too.
/// Counters for metrics. Thread-safe.
/// </summary>
internal sealed class ListenerConnections(ILogger<ListenerConnections> logger, TimeProvider time)
{
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, ListenerConnectionCounter> _byListener = new(StringComparer.Ordinal);

    /// <summary>Every listener's counters, by listener name.</summary>
    public IReadOnlyCollection<ListenerConnectionCounter> All => [.. _byListener.Values.OrderBy(c => c.Listener, StringComparer.Ordinal)];

    /// <summary>The connection middleware for one listener; <paramref name="max"/> 0 counts without a limit.</summary>
    public Func<ConnectionDelegate, ConnectionDelegate> Middleware(string listener, int max)
    {
        var counter = _byListener.GetOrAdd(listener, static (name, limit) => new ListenerConnectionCounter(name, limit), max);
        return next => async connection =>
        {
            if (!counter.TryOpen())
            {
                if (counter.ShouldLogRefusal(time.GetTimestamp(), LogEvery, time, out var refusedSince))
                {
                    EdgeLog.ConnectionLimitReached(logger, listener, counter.Limit, refusedSince);
                }

                connection.Abort(new ConnectionAbortedException($"listener {listener} holds its maximum of {counter.Limit} connections"));
                return;
            }

            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                counter.Close();
            }
        };
    }
}

/// <summary>One listener's open connections, its limit, and the connections it refused.</summary>
internal sealed class ListenerConnectionCounter(string listener, int limit)
{
    private int _open;
    private long _accepted;
    private long _refused;
    private long _refusedAtLastLog;
    private long _lastLogTimestamp = long.MinValue;

    public string Listener { get; } = listener;

    /// <summary>Most connections held at once; 0 means no limit.</summary>
    public int Limit { get; } = limit;

    public int Open => Volatile.Read(ref _open);

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Takes a place for a new connection; false (and counted) when the listener is full.</summary>
    public bool TryOpen()
    {
        if (Interlocked.Increment(ref _open) > Limit && Limit > 0)
        {
            Interlocked.Decrement(ref _open);
            Interlocked.Increment(ref _refused);
            return false;
        }

        Interlocked.Increment(ref _accepted);
        return true;
    }

    public void Close() => Interlocked.Decrement(ref _open);

    /// <summary>At most one log line per interval while refusing; reports how many were refused since the last line.</summary>
    public bool ShouldLogRefusal(long now, TimeSpan every, TimeProvider time, out long refusedSince)
    {
        var last = Interlocked.Read(ref _lastLogTimestamp);
        if (last != long.MinValue && time.GetElapsedTime(last, now) < every)
        {
            refusedSince = 0;
            return false;
        }

        if (Interlocked.CompareExchange(ref _lastLogTimestamp, now, last) != last)
        {
            refusedSince = 0;
            return false; // another connection is logging this round
        }

        var refused = Refused;
        refusedSince = refused - Interlocked.Exchange(ref _refusedAtLastLog, refused);
        return true;
    }
}

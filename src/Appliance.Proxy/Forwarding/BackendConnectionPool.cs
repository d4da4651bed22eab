using System.Diagnostics;
using System.Net;

namespace Appliance.Proxy.Forwarding;

/// <summary>
/// Idle kept-alive connections to one backend address, most recently used first (a warm
/// connection is likelier to be alive, and the cold ones age out). Bounded; the surplus is closed.
/// </summary>
internal sealed class BackendConnectionPool(EndPoint endpoint, int maxIdle)
{
    private readonly Stack<BackendConnection> _idle = new();
    private readonly Lock _lock = new();

    public EndPoint Endpoint { get; } = endpoint;

    /// <summary>When any connection was last taken or returned (<see cref="Stopwatch"/> ticks), for dropping unused pools.</summary>
    public long LastUsed { get; private set; } = Stopwatch.GetTimestamp();

    public int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>
    /// An idle connection, or null when there is none (the caller connects). Each is polled before
    /// use, however briefly it was idle: a backend that closed it, or sent bytes after its answer
    /// (a second response, a body after a HEAD answer written a moment later), makes it unusable,
    /// since those bytes would be read as the next client's answer.
    /// </summary>
    public BackendConnection? TryRent()
    {
        while (true)
        {
            BackendConnection? connection;
            lock (_lock)
            {
                LastUsed = Stopwatch.GetTimestamp();
                if (!_idle.TryPop(out connection))
                {
                    return null;
                }
            }

            // A timer that fired as the last request ended leaves the connection cancelled: not usable.
            if (!connection.IsCancellationRequested && connection.LooksAlive())
            {
                return connection;
            }

            connection.Dispose();
        }
    }

    public void Return(BackendConnection connection)
    {
        connection.Reused = true;
        connection.IdleSince = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            LastUsed = connection.IdleSince;
            if (_idle.Count < maxIdle)
            {
                _idle.Push(connection);
                return;
            }
        }

        connection.Dispose();
    }

    /// <summary>Closes connections idle longer than <paramref name="idleTimeout"/>; returns how many are left.</summary>
    public int CloseIdle(TimeSpan idleTimeout)
    {
        List<BackendConnection>? expired = null;
        lock (_lock)
        {
            if (_idle.Count == 0)
            {
                return 0;
            }

            // The stack's bottom holds the oldest; rebuild it without the expired ones.
            var keep = new List<BackendConnection>(_idle.Count);
            while (_idle.TryPop(out var connection))
            {
                if (Stopwatch.GetElapsedTime(connection.IdleSince) > idleTimeout)
                {
                    (expired ??= []).Add(connection);
                }
                else
                {
                    keep.Add(connection);
                }
            }

            for (var i = keep.Count - 1; i >= 0; i--)
            {
                _idle.Push(keep[i]);
            }
        }

        expired?.ForEach(c => c.Dispose());
        return IdleCount;
    }

    public void CloseAll() => CloseIdle(TimeSpan.MinValue);
}

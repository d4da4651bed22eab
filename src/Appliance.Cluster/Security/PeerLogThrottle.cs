using System.Collections.Concurrent;

namespace Appliance.Cluster.Security;

/// <summary>
/// At most one log line per peer every <see cref="Every"/>, with the count of lines held back
/// since the last one: a stranger retrying cannot flood the log. Bounded: past 1,024 peers (a
/// scan from many hosts or source ports) it forgets them all rather than grow.
/// </summary>
internal sealed class PeerLogThrottle(TimeSpan every, TimeProvider time)
{
    private const int MaxPeers = 1024;
    private readonly ConcurrentDictionary<string, (long LastLogged, int Suppressed)> _logged = new(StringComparer.Ordinal);

    public TimeSpan Every { get; } = every;

    /// <summary>True when a line about <paramref name="peer"/> may be written now; <paramref name="suppressed"/> says how many were held back.</summary>
    public bool ShouldLog(string peer, out int suppressed)
    {
        var now = time.GetTimestamp();
        var every = (long)(Every.TotalSeconds * time.TimestampFrequency);
        var log = false;
        var seen = 0;
        _logged.AddOrUpdate(peer,
            _ => { log = true; return (now, 0); },
            (_, last) =>
            {
                if (now - last.LastLogged >= every)
                {
                    log = true;
                    seen = last.Suppressed;
                    return (now, 0);
                }

                log = false;
                return (last.LastLogged, last.Suppressed + 1);
            });
        suppressed = seen;
        if (_logged.Count > MaxPeers)
        {
            _logged.Clear();
        }

        return log;
    }
}

namespace Appliance.Vip.Ownership;

/// <summary>How gratuitous ARP / NA bursts are spaced (keepalived: 5 at takeover, again 5 s later).</summary>
/// <param name="Count">Announcements per burst.</param>
/// <param name="Interval">Between announcements in a burst.</param>
/// <param name="SecondBurstDelay">From the start of the first burst to the second; zero for none.</param>
/// <param name="MinSpacingPerInterface">Rate limit: no two announcements on one interface closer than this.</param>
internal sealed record AnnounceSettings(int Count, TimeSpan Interval, TimeSpan SecondBurstDelay, TimeSpan MinSpacingPerInterface)
{
    public static readonly AnnounceSettings Default = new(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10));
}

/// <summary>
/// Which announcements are due, pure and time-driven: <see cref="Start"/> plans the bursts for a VIP,
/// <see cref="Due"/> hands out those whose time has come, respecting the per-interface rate limit.
/// </summary>
internal sealed class AnnounceSchedule(AnnounceSettings settings)
{
    private readonly Dictionary<string, (string Interface, Queue<DateTimeOffset> Times)> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastOnInterface = new(StringComparer.Ordinal);

    /// <summary>Plans both bursts for <paramref name="vip"/>, replacing any still pending.</summary>
    public void Start(string vip, string iface, DateTimeOffset now)
    {
        var times = new Queue<DateTimeOffset>();
        for (var i = 0; i < settings.Count; i++)
        {
            times.Enqueue(now + (settings.Interval * i));
        }

        if (settings.SecondBurstDelay > TimeSpan.Zero)
        {
            for (var i = 0; i < settings.Count; i++)
            {
                times.Enqueue(now + settings.SecondBurstDelay + (settings.Interval * i));
            }
        }

        _pending[vip] = (iface, times);
    }

    /// <summary>Drops what is pending for <paramref name="vip"/> (it was released).</summary>
    public void Cancel(string vip) => _pending.Remove(vip);

    /// <summary>The VIPs to announce now, at most one announcement each per call.</summary>
    public List<string> Due(DateTimeOffset now)
    {
        var due = new List<string>();
        foreach (var (vip, (iface, times)) in _pending)
        {
            if (times.Count == 0 || times.Peek() > now
                || (_lastOnInterface.TryGetValue(iface, out var last) && now - last < settings.MinSpacingPerInterface))
            {
                continue;
            }

            times.Dequeue();
            _lastOnInterface[iface] = now;
            due.Add(vip);
        }

        foreach (var vip in due.Where(v => _pending[v].Times.Count == 0))
        {
            _pending.Remove(vip);
        }

        return due;
    }
}

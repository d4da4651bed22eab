namespace Appliance.Vip.Adverts;

/// <summary>What the guard says of one signed frame.</summary>
internal enum ReplayVerdict
{
    /// <summary>Newer than anything heard from this sender: keep it.</summary>
    Fresh,

    /// <summary>The same incarnation and a sequence already seen (a replay, or reordered late).</summary>
    Replayed,

    /// <summary>From an older incarnation than the one heard (a replay of a previous run).</summary>
    Stale,

    /// <summary>More senders than the guard keeps; the frame is dropped rather than grow without bound.</summary>
    Full,
}

/// <summary>
/// Per sender, the incarnation and highest sequence seen. A larger incarnation (a restart)
/// replaces the old one; a smaller one is refused, unless the sender has been silent for
/// <paramref name="forgetAfter"/> (its clock may have stepped back across a restart; a replay of
/// an old run's frames then gets through only while the real node is silent). Not thread-safe:
/// the channel's receive thread owns it.
/// </summary>
internal sealed class ReplayGuard(TimeSpan forgetAfter, int maxSenders = 256)
{
    private readonly Dictionary<string, (ulong Incarnation, ulong Sequence, DateTimeOffset At)> _last = new(StringComparer.Ordinal);

    public ReplayVerdict Check(string sender, ulong incarnation, ulong sequence, DateTimeOffset now)
    {
        if (!_last.TryGetValue(sender, out var known))
        {
            if (_last.Count >= maxSenders)
            {
                return ReplayVerdict.Full;
            }
        }
        else if (incarnation == known.Incarnation && sequence <= known.Sequence)
        {
            return ReplayVerdict.Replayed;
        }
        else if (incarnation < known.Incarnation && now - known.At < forgetAfter)
        {
            return ReplayVerdict.Stale;
        }

        _last[sender] = (incarnation, sequence, now);
        return ReplayVerdict.Fresh;
    }

    /// <summary>Forgets senders silent longer than <paramref name="forgetAfter"/> that are not in <paramref name="keep"/>.</summary>
    public void Prune(IReadOnlySet<string> keep, DateTimeOffset now)
    {
        foreach (var (name, v) in _last.ToList())
        {
            if (!keep.Contains(name) && now - v.At >= forgetAfter)
            {
                _last.Remove(name);
            }
        }
    }
}

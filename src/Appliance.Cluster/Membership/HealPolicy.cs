namespace Appliance.Cluster.Membership;

/// <summary>
/// When the two sides of a healed partition become one cluster again. Each side downed the other
/// (availability first), so after the heal there are two clusters that never talk: Akka rejoins
/// nobody by itself. Every node remembers the members it lost while they were unreachable and
/// keeps asking them whether they are alive. One side must yield, and both sides must agree which
/// without talking: the side whose lowest address sorts higher yields (it ends its incarnation and
/// joins the other's cluster); the side with the lowest address never asks, so it never yields.
/// A lost member that answers must keep answering, outside this cluster, for
/// <see cref="HealAfter"/>: a node that restarted after a crash answers at once too, but joins
/// this cluster within that time, and then it is a member again, not a reason to yield.
/// Pure: addresses are "host:port" text, compared ordinally, time is milliseconds.
/// </summary>
public sealed class HealPolicy(TimeSpan healAfter)
{
    private readonly Dictionary<string, long> _lost = new(StringComparer.Ordinal); // address -> answering since (-1: not answering)

    public TimeSpan HealAfter { get; } = healAfter;

    /// <summary>Lost members this node still asks about.</summary>
    public IReadOnlyCollection<string> Lost => _lost.Keys;

    /// <summary>A member removed after it had been unreachable: it may be alive on the other side.</summary>
    public void LostMember(string address) => _lost.TryAdd(address, -1);

    /// <summary>A member (again): nothing to heal with it.</summary>
    public void Member(string address) => _lost.Remove(address);

    /// <summary>The lost members worth asking: those whose address sorts below every member of this cluster.</summary>
    public IEnumerable<string> ToAsk(IEnumerable<string> members)
    {
        var lowest = members.Min(StringComparer.Ordinal);
        return lowest is null ? [] : _lost.Keys.Where(a => string.CompareOrdinal(a, lowest) < 0).ToList();
    }

    /// <summary>What asking <paramref name="address"/> found at <paramref name="nowMs"/>.</summary>
    public void Answer(string address, bool alive, long nowMs)
    {
        if (_lost.TryGetValue(address, out var since))
        {
            _lost[address] = alive ? (since < 0 ? nowMs : since) : -1;
        }
    }

    /// <summary>The lost member to join, when one has answered for <see cref="HealAfter"/> and sorts below every member here; else null.</summary>
    public string? YieldTo(IEnumerable<string> members, long nowMs) =>
        ToAsk(members)
            .Where(a => _lost[a] >= 0 && nowMs - _lost[a] >= (long)HealAfter.TotalMilliseconds)
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
}

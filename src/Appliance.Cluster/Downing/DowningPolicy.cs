namespace Appliance.Cluster.Downing;

/// <summary>
/// Which unreachable members to down, availability first. Akka's Split Brain Resolver strategies
/// all down one side of a pair split one against one (or both); this policy downs only peers
/// confirmed dead, so each side of a partition keeps serving and the heal brings one cluster back:
/// <list type="bullet">
/// <item>a member that is unreachable while its port refuses connections for
/// <see cref="RefusedFor"/>: the host answers, no process listens (a crash, a kill -9);</item>
/// <item>a member unreachable for <see cref="DownAfter"/> without a break (a host gone for good).
/// Validation refuses a zero <c>DownAfter</c> in the configuration; the policy itself takes zero
/// as "never" (its tests use that to judge the refused case alone).</item>
/// </list>
/// Pure: addresses are keys, time is milliseconds from any fixed origin, nothing is done here.
/// </summary>
public sealed class DowningPolicy<TAddress>(TimeSpan downAfter, TimeSpan refusedFor)
    where TAddress : notnull
{
    private readonly Dictionary<TAddress, long> _unreachableSince = [];
    private readonly Dictionary<TAddress, long> _refusedSince = [];
    private readonly HashSet<TAddress> _downed = [];

    public TimeSpan DownAfter { get; } = downAfter;

    public TimeSpan RefusedFor { get; } = refusedFor;

    public void Unreachable(TAddress member, long nowMs) => _unreachableSince.TryAdd(member, nowMs);

    /// <summary>Reachable again: both clocks start over, and a later unreachability is judged afresh.</summary>
    public void Reachable(TAddress member) => Removed(member);

    /// <summary>A dial to <paramref name="member"/> was refused (connection refused: nothing listens on its port).</summary>
    public void Refused(TAddress member, long nowMs) => _refusedSince.TryAdd(member, nowMs);

    /// <summary>A connection to <paramref name="member"/> was made: it is not refusing any more.</summary>
    public void Connected(TAddress member) => _refusedSince.Remove(member);

    /// <summary>Gone from the cluster: forgotten.</summary>
    public void Removed(TAddress member)
    {
        _unreachableSince.Remove(member);
        _refusedSince.Remove(member);
        _downed.Remove(member);
    }

    /// <summary>Members to down now; each is returned once (until it is removed or reachable again).</summary>
    public IReadOnlyList<(TAddress Member, string Reason)> Decide(long nowMs)
    {
        List<(TAddress, string)>? result = null;
        foreach (var (member, since) in _unreachableSince)
        {
            if (_downed.Contains(member))
            {
                continue;
            }

            string? reason = null;
            if (_refusedSince.TryGetValue(member, out var refused) && nowMs - refused >= (long)RefusedFor.TotalMilliseconds)
            {
                reason = $"unreachable and refusing connections for {nowMs - refused} ms: its process is gone";
            }
            else if (DownAfter > TimeSpan.Zero && nowMs - since >= (long)DownAfter.TotalMilliseconds)
            {
                reason = $"unreachable for {nowMs - since} ms (DownAfter {DownAfter.TotalSeconds:0.###} s)";
            }

            if (reason is not null)
            {
                (result ??= []).Add((member, reason));
            }
        }

        if (result is null)
        {
            return [];
        }

        foreach (var (member, _) in result)
        {
            _downed.Add(member);
        }

        return result;
    }
}

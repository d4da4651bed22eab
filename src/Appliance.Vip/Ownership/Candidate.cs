namespace Appliance.Vip.Ownership;

/// <summary>A member that may hold one VIP, with its rank inputs.</summary>
/// <param name="Leaving">It releases every VIP because it stops (graceful stop, leave); <paramref name="Releasing"/> also covers an earlier <c>vip move</c> of this VIP.</param>
internal readonly record struct Candidate(string Name, int Priority, bool Releasing, bool Claims, string? YieldTo = null, bool Leaving = false)
{
    /// <summary>
    /// Positive when this ranks above <paramref name="other"/>. Releasing members rank below all others
    /// (VRRP priority 0), then higher priority wins, then the ordinally smaller name, so every node
    /// that sees the same members picks the same winner.
    /// </summary>
    public int CompareRank(Candidate other)
    {
        if (Releasing != other.Releasing)
        {
            return Releasing ? -1 : 1;
        }

        if (Priority != other.Priority)
        {
            return Priority.CompareTo(other.Priority);
        }

        return string.CompareOrdinal(other.Name, Name);
    }

    /// <summary><paramref name="member"/> as a candidate for <paramref name="vip"/>, whatever its priority.</summary>
    public static Candidate Of(VipDefinition vip, VipMember member) =>
        new(member.Name, vip.PriorityOf(member.Name) - member.PenaltyOn(vip.Name), member.ReleasesVip(vip.Name), member.ClaimsVip(vip.Name), member.YieldTarget(vip.Name), member.Releasing);

    /// <summary>The candidates for <paramref name="vip"/> among <paramref name="members"/>, best first.</summary>
    public static List<Candidate> Rank(VipDefinition vip, IReadOnlyList<VipMember> members)
    {
        var list = new List<Candidate>(members.Count);
        foreach (var m in members)
        {
            // A node whose tracking took its priority to zero is in fault, as in keepalived.
            if (m.Reachable && Of(vip, m) is { Priority: > 0 } candidate)
            {
                list.Add(candidate);
            }
        }

        list.Sort((a, b) => b.CompareRank(a));
        return list;
    }
}

namespace Appliance.Vip.Ownership;

/// <summary>
/// Decides who holds each VIP, from the membership view alone: pure and deterministic, so it is
/// tested with explicit times and every node that sees the same members and claims agrees.
/// </summary>
internal static class VipOwnershipMachine
{
    /// <summary>
    /// How long a master keeps the address after deciding another node owns it, waiting for that
    /// node to claim it (make before break). Longer than any advert delay on a healthy network.
    /// </summary>
    public static readonly TimeSpan HandoverTimeout = TimeSpan.FromSeconds(1);

    /// <summary>One tick: the new slots for all VIPs and what the driver must do on this node.</summary>
    public static (IReadOnlyDictionary<string, VipSlot> Slots, IReadOnlyList<VipAction> Actions) Step(
        IReadOnlyList<VipDefinition> vips,
        IReadOnlyDictionary<string, VipSlot> previous,
        VipInput input)
    {
        var slots = new Dictionary<string, VipSlot>(StringComparer.Ordinal);
        var actions = new List<VipAction>();
        foreach (var vip in vips)
        {
            var before = previous.TryGetValue(vip.Name, out var s) ? s : VipSlot.Initial;
            var after = Decide(vip, before, input);
            slots[vip.Name] = after;
            AddActions(vip.Name, before, after, actions);
        }

        return (slots, actions);
    }

    private static VipSlot Decide(VipDefinition vip, VipSlot before, VipInput input)
    {
        var ranked = Candidate.Rank(vip, input.Members);
        if (ranked.Count == 0)
        {
            return Become(before, null, input, "no reachable Up member can hold it (none has a priority above 0)")
                with { Reachable = RememberReachable(before, ranked, input) };
        }

        var best = ranked[0];
        var incumbent = Incumbent(ranked, before, input.Self);
        var rivals = RivalClaimants(vip, ranked, input);
        VipSlot next;
        if (incumbent is not { } held)
        {
            next = Become(before, best.Name, input, before.Owner is null
                ? $"elected: {best.Name} has the highest priority ({best.Priority})"
                : $"{before.Owner} is gone; {best.Name} has the highest priority ({best.Priority})");
        }
        else if (held.Name == best.Name)
        {
            var losers = rivals.Where(r => r != held.Name).Order(StringComparer.Ordinal).ToList();
            var reason = before.Owner != held.Name && losers.Count > 0
                ? $"split brain healed: {held.Name} outranks {string.Join(", ", losers)}"
                : $"{held.Name} holds it";
            next = Become(before, held.Name, input, reason) with { Contender = null, ContenderSince = null };
        }
        else if (held.Releasing)
        {
            // vip move --to: the named node, when it can hold it and is not leaving. A node that
            // moved this VIP away earlier still ranks last for it (so preempt does not take it
            // back), but a move back to it by name is honoured: the kill -9 fault test found such
            // a move going to another node instead.
            var to = ranked.FirstOrDefault(c => c.Name == held.YieldTo && !c.Leaving) is { Name: not null } target ? target : best;
            next = Become(before, to.Name, input, $"{held.Name} released it; {to.Name} takes over at once");
        }
        else if (!vip.Preempt)
        {
            next = Become(before, held.Name, input, $"{held.Name} holds it (no preempt)") with { Contender = null, ContenderSince = null };
        }
        else
        {
            next = Preempt(vip, before, held, best, input);
        }

        next = HandOver(before, next, ranked, input);
        return next with
        {
            RivalClaimants = next.Role == VipRole.Master ? rivals : Empty,
            Reachable = RememberReachable(before, ranked, input),
            Returned = Returned(vip, before, ranked, input),
        };
    }

    /// <summary>
    /// Members reachable now that were not last tick, that this node outranks: back from
    /// unreachable, or back in the view at all (downed while apart, they rejoin as new
    /// incarnations). A master re-announces for them: while the partition lasted they may have held
    /// the VIP and told the neighbours their MAC, and they may drop it before their claim ever
    /// reaches us (found by the partition fault test: after a lost merge the other side came back
    /// as new members and the client kept the loser's MAC). A node joining a healthy cluster costs
    /// one needless burst, which is cheap; the first tick has nothing to compare with.
    /// </summary>
    private static List<string> Returned(VipDefinition vip, VipSlot before, List<Candidate> ranked, VipInput input)
    {
        var self = ranked.FirstOrDefault(c => c.Name == input.Self);
        if (before.Reachable is not { } was || self.Name is null)
        {
            return [];
        }

        return [.. input.Members
            .Where(m => m.Reachable && m.Name != input.Self && !was.Contains(m.Name)
                && vip.PriorityOf(m.Name) > 0 && self.CompareRank(Candidate.Of(vip, m)) > 0)
            .Select(m => m.Name)];
    }

    /// <summary>
    /// Who is reachable now, remembered for the next tick's <see cref="Returned"/>; but while this
    /// node is not reachable itself the memory is kept as it was. Healing a partition, gossip merges
    /// the other side's opinion of us: for a tick or two we are "unreachable" while the returning
    /// members already look reachable, and a master that recorded them then would never see them
    /// come back, nor re-announce (seen in VipNetworkTests' partition test).
    /// </summary>
    private static IReadOnlySet<string>? RememberReachable(VipSlot before, List<Candidate> ranked, VipInput input) =>
        before.Reachable is not null && !ranked.Any(c => c.Name == input.Self)
            ? before.Reachable
            : input.Members.Where(m => m.Reachable).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Make before break: a master that decided another node owns the VIP keeps the address until
    /// that node claims it (or <see cref="HandoverTimeout"/> passes), so clients never meet a
    /// moment when nobody answers for it.
    /// </summary>
    private static VipSlot HandOver(VipSlot before, VipSlot next, List<Candidate> ranked, VipInput input)
    {
        if (before.Role != VipRole.Master || next.Role == VipRole.Master || next.Owner is not { } owner
            || ranked.Any(c => c.Name == owner && c.Claims))
        {
            return next;
        }

        if (before.HandoverSince is not { } since || before.Owner != owner)
        {
            return next with { Role = VipRole.Master, HandoverSince = input.Now, Reason = $"{next.Reason}; holding the address until {owner} claims it" };
        }

        return input.Now - since < HandoverTimeout
            ? before
            : next with { Reason = $"{next.Reason} ({owner} did not claim it within {HandoverTimeout.TotalSeconds:0.#} s; released anyway)" };
    }

    private static VipSlot Preempt(VipDefinition vip, VipSlot before, Candidate held, Candidate best, VipInput input)
    {
        var since = before.Contender == best.Name && before.ContenderSince is { } t ? t : input.Now;
        if (input.Now - since >= vip.PreemptDelay)
        {
            return Become(before, best.Name, input, $"preempted: {best.Name} (priority {best.Priority}) outranks {held.Name} (priority {held.Priority})")
                with { Contender = null, ContenderSince = null };
        }

        return Become(before, held.Name, input, $"{held.Name} holds it; {best.Name} outranks it and preempts at {since + vip.PreemptDelay:O}")
            with { Contender = best.Name, ContenderSince = since };
    }

    /// <summary>
    /// The live holder: among members that claim it (or that this node last decided on), the
    /// best-ranked one. With several claimants (a healed split brain) exactly one survives.
    /// </summary>
    private static Candidate? Incumbent(List<Candidate> ranked, VipSlot before, string self)
    {
        foreach (var c in ranked)
        {
            var claims = c.Name == self ? before.Role == VipRole.Master : c.Claims;
            if (claims || c.Name == before.Owner)
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>
    /// Other members that say they hold the VIP: every reachable one, and an unreachable one (its
    /// adverts arrive while the partition heals) when this node outranks it, so that exactly one
    /// side of a healing split brain re-announces, and early: before the loser is reachable again
    /// and simply drops it, the neighbours would otherwise keep the loser's MAC.
    /// </summary>
    private static HashSet<string> RivalClaimants(VipDefinition vip, List<Candidate> ranked, VipInput input)
    {
        var rivals = new HashSet<string>(StringComparer.Ordinal);
        var self = ranked.FirstOrDefault(c => c.Name == input.Self);
        foreach (var m in input.Members)
        {
            if (m.Name != input.Self && m.ClaimsVip(vip.Name)
                && (m.Reachable || (self.Name is not null && self.CompareRank(Candidate.Of(vip, m)) > 0)))
            {
                rivals.Add(m.Name);
            }
        }

        return rivals;
    }

    private static VipSlot Become(VipSlot before, string? owner, VipInput input, string reason)
    {
        var role = owner == input.Self ? VipRole.Master : VipRole.Backup;
        return owner == before.Owner && role == before.Role
            ? before with { Role = role }
            : before with { Owner = owner, Role = role, LastTransition = input.Now, Reason = reason, Contender = null, ContenderSince = null, HandoverSince = null };
    }

    private static void AddActions(string vip, VipSlot before, VipSlot after, List<VipAction> actions)
    {
        if (before.Role != VipRole.Master && after.Role == VipRole.Master)
        {
            actions.Add(new(VipActionKind.AddAddress, vip, after.Reason));
            actions.Add(new(VipActionKind.Announce, vip, after.Reason));
        }
        else if (before.Role == VipRole.Master && after.Role != VipRole.Master)
        {
            actions.Add(new(VipActionKind.RemoveAddress, vip, after.Reason));
        }
        else if (after.Role == VipRole.Master && after.RivalClaimants.Except(before.RivalClaimants).Any())
        {
            // We won against a member that also held it: neighbours may have its MAC cached
            // (keepalived #166/#893), so tell them again.
            actions.Add(new(VipActionKind.Announce, vip, $"re-announce: {string.Join(", ", after.RivalClaimants.Order(StringComparer.Ordinal))} also claimed it"));
        }
        else if (after.Role == VipRole.Master && before.Role == VipRole.Master && after.Returned is { Count: > 0 } returned)
        {
            actions.Add(new(VipActionKind.Announce, vip, $"re-announce: {string.Join(", ", returned)} back in view (it may have held it while apart)"));
        }
    }

    private static readonly IReadOnlySet<string> Empty = new HashSet<string>(StringComparer.Ordinal);
}

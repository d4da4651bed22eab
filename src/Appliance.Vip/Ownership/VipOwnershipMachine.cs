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
            return Become(before, null, input, "no reachable Up member can hold it (none has a priority above 0)");
        }

        var best = ranked[0];
        var incumbent = Incumbent(ranked, before, input.Self);
        var rivals = RivalClaimants(ranked, input.Self);
        VipSlot next;
        if (incumbent is not { } held)
        {
            next = Become(before, best.Name, input, before.Owner is null
                ? $"elected: {best.Name} has the highest priority ({best.Priority})"
                : $"{before.Owner} is gone; {best.Name} has the highest priority ({best.Priority})");
        }
        else if (held.Name == best.Name)
        {
            var reason = before.Owner != held.Name && rivals.Count > 0
                ? $"split brain healed: {held.Name} outranks {string.Join(", ", rivals)}"
                : $"{held.Name} holds it";
            next = Become(before, held.Name, input, reason) with { Contender = null, ContenderSince = null };
        }
        else if (held.Releasing)
        {
            // vip move --to: the named node, when it can hold it and is not releasing too.
            var to = ranked.FirstOrDefault(c => c.Name == held.YieldTo && !c.Releasing) is { Name: not null } target ? target : best;
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
        return next with { RivalClaimants = next.Role == VipRole.Master ? rivals : Empty };
    }

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

    private static HashSet<string> RivalClaimants(List<Candidate> ranked, string self)
    {
        var rivals = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in ranked)
        {
            if (c.Claims && c.Name != self)
            {
                rivals.Add(c.Name);
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
            actions.Add(new(VipActionKind.Announce, vip, $"re-announce: {string.Join(", ", after.RivalClaimants)} also claimed it"));
        }
    }

    private static readonly IReadOnlySet<string> Empty = new HashSet<string>(StringComparer.Ordinal);
}

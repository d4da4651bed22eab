namespace Appliance.Vip.Ownership;

/// <summary>The remembered decision for one VIP between ticks.</summary>
/// <param name="Owner">Who holds it as this node decided; null when nobody can.</param>
/// <param name="Role">This node's role.</param>
/// <param name="Contender">A better-ranked member waiting out the preempt delay.</param>
/// <param name="ContenderSince">When <paramref name="Contender"/> became better.</param>
/// <param name="LastTransition">When <paramref name="Owner"/> last changed (or the VIP was re-announced).</param>
/// <param name="Reason">Why, in words for the operator.</param>
/// <param name="RivalClaimants">Other members that claimed it last tick while we held it.</param>
/// <param name="HandoverSince">While this node still holds it for a new owner that does not claim it yet: since when.</param>
/// <param name="Reachable">Members reachable last tick (null before the first decision).</param>
/// <param name="Returned">Members this node outranks that are back in view this tick: reachable again, or rejoined (a partition healed).</param>
internal sealed record VipSlot(
    string? Owner,
    VipRole Role,
    string? Contender,
    DateTimeOffset? ContenderSince,
    DateTimeOffset LastTransition,
    string Reason,
    IReadOnlySet<string> RivalClaimants,
    DateTimeOffset? HandoverSince = null,
    IReadOnlySet<string>? Reachable = null,
    IReadOnlyList<string>? Returned = null)
{
    /// <summary>Before the first tick.</summary>
    public static readonly VipSlot Initial = new(null, VipRole.Backup, null, null, DateTimeOffset.MinValue, "not decided yet", new HashSet<string>(StringComparer.Ordinal));

    /// <summary>This node still holds it while the decided owner, another node, takes it over.</summary>
    public bool HandingOver => HandoverSince is not null;
}

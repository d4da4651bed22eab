namespace Appliance.Vip.Ownership;

/// <summary>One virtual IP as the ownership machine needs it: who may hold it, and how eagerly.</summary>
/// <param name="Name">Stable key (usually the address text); claims and actions refer to it.</param>
/// <param name="Address">The address with its prefix, e.g. "198.18.0.10/24".</param>
/// <param name="Interface">The interface the address goes on.</param>
/// <param name="Priorities">Configured priority (1..255) per node name; a node not listed never holds it.</param>
/// <param name="Preempt">Whether a better-ranked node takes the VIP from a live holder.</param>
/// <param name="PreemptDelay">How long the better node must stay better before it takes over.</param>
internal sealed record VipDefinition(
    string Name,
    string Address,
    string Interface,
    IReadOnlyDictionary<string, int> Priorities,
    bool Preempt,
    TimeSpan PreemptDelay)
{
    /// <summary>The configured priority of <paramref name="node"/>, 0 when it is not a candidate.</summary>
    public int PriorityOf(string node) => Priorities.TryGetValue(node, out var p) ? p : 0;
}

namespace Appliance.Vip.Ownership;

/// <summary>Everything one tick decides from; the machine reads nothing else.</summary>
/// <param name="Self">This node's name.</param>
/// <param name="Members">Reachable Up members, this node included when it is Up.</param>
/// <param name="Now">The tick's time.</param>
internal sealed record VipInput(string Self, IReadOnlyList<VipMember> Members, DateTimeOffset Now);

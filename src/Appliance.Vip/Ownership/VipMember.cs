namespace Appliance.Vip.Ownership;

/// <summary>A reachable Up member as one tick of the ownership machine sees it.</summary>
/// <param name="Name">Member name, as in the VIP priorities.</param>
/// <param name="Penalties">Priority lost per VIP name to failed tracking on that member (absent = 0).</param>
/// <param name="Releasing">It is leaving or was asked to move its VIPs: like VRRP priority 0, it ranks last.</param>
/// <param name="Claims">VIP names the member says it holds; this is how a split brain is seen on heal.</param>
/// <param name="Yields">VIPs it releases one by one (<c>vip move</c>), each with the node to hand it to (null: the best-ranked).</param>
/// <param name="Reachable">
/// False for an Up member this node cannot reach now but still hears adverts from (a partition
/// healing): it never holds a VIP in this node's eyes, but its claims tell a master to re-announce.
/// </param>
internal sealed record VipMember(
    string Name,
    IReadOnlyDictionary<string, int>? Penalties = null,
    bool Releasing = false,
    IReadOnlySet<string>? Claims = null,
    IReadOnlyDictionary<string, string?>? Yields = null,
    bool Reachable = true)
{
    /// <summary>The penalty on <paramref name="vip"/>.</summary>
    public int PenaltyOn(string vip) => Penalties is not null && Penalties.TryGetValue(vip, out var p) ? p : 0;

    /// <summary>Whether it says it holds <paramref name="vip"/>.</summary>
    public bool ClaimsVip(string vip) => Claims is not null && Claims.Contains(vip);

    /// <summary>Whether it gives <paramref name="vip"/> up (leaving, or moving it away).</summary>
    public bool ReleasesVip(string vip) => Releasing || (Yields is not null && Yields.ContainsKey(vip));

    /// <summary>The node it hands <paramref name="vip"/> to, when it names one.</summary>
    public string? YieldTarget(string vip) => Yields is not null && Yields.TryGetValue(vip, out var to) ? to : null;
}

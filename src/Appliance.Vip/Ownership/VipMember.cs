namespace Appliance.Vip.Ownership;

/// <summary>A reachable Up member as one tick of the ownership machine sees it.</summary>
/// <param name="Name">Member name, as in the VIP priorities.</param>
/// <param name="Penalties">Priority lost per VIP name to failed tracking on that member (absent = 0).</param>
/// <param name="Releasing">It is leaving or was asked to move its VIPs: like VRRP priority 0, it ranks last.</param>
/// <param name="Claims">VIP names the member says it holds; this is how a split brain is seen on heal.</param>
internal sealed record VipMember(
    string Name,
    IReadOnlyDictionary<string, int>? Penalties = null,
    bool Releasing = false,
    IReadOnlySet<string>? Claims = null)
{
    /// <summary>The penalty on <paramref name="vip"/>.</summary>
    public int PenaltyOn(string vip) => Penalties is not null && Penalties.TryGetValue(vip, out var p) ? p : 0;

    /// <summary>Whether it says it holds <paramref name="vip"/>.</summary>
    public bool ClaimsVip(string vip) => Claims is not null && Claims.Contains(vip);
}

using Appliance.Cluster.Membership;

namespace Appliance.Cluster.Messages;

/// <summary>
/// A node's stand on the VIPs it may hold, sent to every member on change and every advert interval
/// (docs/vips.md, "Claims between nodes"). It is how peers learn who claims a VIP (a healed split
/// brain), whose priority tracking lowered, and who is handing a VIP over.
/// </summary>
/// <param name="Sequence">Grows within an incarnation; an older advert arriving late is ignored.</param>
/// <param name="Vips">One entry per VIP, sorted by name.</param>
public sealed record VipAdvert(UniqueAddress From, long Sequence, IReadOnlyList<VipState> Vips) : ClusterMessage(From);

/// <summary>The sender's stand on one VIP.</summary>
/// <param name="Vip">The VIP's name (its address text).</param>
/// <param name="Held">The sender holds it now.</param>
/// <param name="Penalty">Priority lost to failed tracking; 1000 (or more than the priority) is fault.</param>
/// <param name="Releasing">The sender gives it up (graceful stop, vip move): it ranks last.</param>
/// <param name="YieldTo">With <paramref name="Releasing"/>, the node to hand it to; null for the best-ranked.</param>
public sealed record VipState(string Vip, bool Held, int Penalty, bool Releasing, string? YieldTo);

namespace Appliance.Cluster.Messages;

/// <summary>
/// A node's stand on one VIP, as its VIP adverts carry it (docs/vips.md, "Claims between nodes").
/// The adverts no longer ride on the cluster transport: the VIP room gets a channel of its own.
/// </summary>
/// <param name="Vip">The VIP's name (its address text).</param>
/// <param name="Held">The sender holds it now.</param>
/// <param name="Penalty">Priority lost to failed tracking; 1000 (or more than the priority) is fault.</param>
/// <param name="Releasing">The sender gives it up (graceful stop, vip move): it ranks last.</param>
/// <param name="YieldTo">With <paramref name="Releasing"/>, the node to hand it to; null for the best-ranked.</param>
public sealed record VipState(string Vip, bool Held, int Penalty, bool Releasing, string? YieldTo);

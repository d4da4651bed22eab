namespace Appliance.Vip.Tracking;

/// <summary>One tracked thing on this node and whether it is failing now.</summary>
/// <param name="What">For the operator, e.g. "interface eth1" or "pool web".</param>
/// <param name="Weight">Priority lost while it fails; 0 means fault (the node cannot hold the VIP at all).</param>
/// <param name="Failing">Whether it is failing.</param>
internal readonly record struct TrackResult(string What, int Weight, bool Failing);

using Appliance.Vip.Ownership;

namespace Appliance.Vip;

/// <summary>
/// Puts VIPs on and off this host and tells neighbours. Failures are returned as text (null =
/// done) because a failed change must be shown and retried, not crash the node.
/// </summary>
internal interface IVipDriver
{
    /// <summary>Removes addresses a previous run left behind (a crash leaves them labelled as ours).</summary>
    IReadOnlyList<string> RemoveStale(IReadOnlyList<VipDefinition> vips);

    /// <summary>Puts the VIP's address on its interface; already present counts as done.</summary>
    string? Add(VipDefinition vip);

    /// <summary>Takes the address off; already absent counts as done.</summary>
    string? Remove(VipDefinition vip);

    /// <summary>Sends one gratuitous ARP (request and reply) or one unsolicited NA; returns frames sent and the failure, if any.</summary>
    (int Sent, string? Error) Announce(VipDefinition vip);
}

using Appliance.Vip.Ownership;

namespace Appliance.Vip;

/// <summary>What an operator sees of one VIP on this node.</summary>
/// <param name="Priorities">Configured priorities, this node's lowered by its current tracking penalty.</param>
/// <param name="Transitions">Times this node's role for it changed since start.</param>
/// <param name="AnnouncementsSent">Gratuitous ARP / NA frames sent for it since start.</param>
/// <param name="LastError">The driver's last failure for it (cleared by the next success), else null.</param>
internal sealed record VipStatus(
    string Address,
    string Interface,
    string? Owner,
    VipRole Role,
    IReadOnlyDictionary<string, int> Priorities,
    DateTimeOffset? LastTransition,
    string Reason,
    long Transitions,
    long AnnouncementsSent,
    string? LastError);

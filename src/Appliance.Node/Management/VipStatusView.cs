using Appliance.Management.Contracts;
using Appliance.Management.Sources;
using Appliance.Vip.Hosting;
using Appliance.Vip.Ownership;

namespace Appliance.Node.Management;

/// <summary>The management view of the VIPs: owner, this node's state, priorities, last transition and why.</summary>
internal sealed class VipStatusView(VipService vips) : IVipView
{
    public VipsResponse List()
    {
        if (vips.Current is not { } current)
        {
            return new(true, vips.DisabledReason is { } reason ? $"VIPs are configured but not running: {reason}" : "VIPs are starting", []);
        }

        var list = current.Select(v => new VipInfo(
            v.Address,
            v.Owner,
            v.Role == VipRole.Master ? "master" : "backup",
            v.Priorities,
            v.LastTransition,
            v.LastError is { } e ? $"{v.Reason}; last error: {e}" : $"{v.Reason}; {v.AnnouncementsSent} announcement(s) sent")).ToList();
        return new(true, null, list);
    }

    public VipMoveRefusal? Move(string vip, string? to)
    {
        var known = vips.Current is not { } current
            || current.Any(v => v.Address.Equals(vip, StringComparison.OrdinalIgnoreCase) || v.Address.StartsWith(vip + "/", StringComparison.OrdinalIgnoreCase));
        return vips.Move(vip, to) is { } refusal ? new VipMoveRefusal(!known, refusal) : null;
    }
}

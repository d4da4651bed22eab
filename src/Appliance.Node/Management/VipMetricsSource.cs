using Appliance.Management.Metrics;
using Appliance.Management.Sources;
using Appliance.Vip.Hosting;
using Appliance.Vip.Ownership;

namespace Appliance.Node.Management;

/// <summary>VIP ownership, transitions and announcements.</summary>
internal sealed class VipMetricsSource(VipService vips) : IMetricsSource
{
    public void Write(PrometheusWriter w)
    {
        var current = vips.Current ?? [];
        w.Gauge("appliance_vip_master", "1 when this node holds the VIP.");
        foreach (var v in current)
        {
            w.Sample("appliance_vip_master", v.Role == VipRole.Master ? 1 : 0, ("vip", v.Address));
        }

        w.Counter("appliance_vip_transitions_total", "Changes of this node's role for the VIP since start.");
        foreach (var v in current)
        {
            w.Sample("appliance_vip_transitions_total", v.Transitions, ("vip", v.Address));
        }

        w.Counter("appliance_vip_announcements_total", "Gratuitous ARP / unsolicited NA frames sent for the VIP since start.");
        foreach (var v in current)
        {
            w.Sample("appliance_vip_announcements_total", v.AnnouncementsSent, ("vip", v.Address));
        }
    }
}

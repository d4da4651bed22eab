using Appliance.Management.Metrics;
using Appliance.Management.Sources;
using Appliance.Vip.Adverts;
using Appliance.Vip.Hosting;
using Appliance.Vip.Ownership;

namespace Appliance.Node.Management;

/// <summary>VIP ownership, transitions, announcements and the advert channel.</summary>
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

        if (vips.Adverts is { } adverts)
        {
            WriteAdverts(w, adverts);
        }
    }

    private static void WriteAdverts(PrometheusWriter w, AdvertStats a)
    {
        w.Counter("appliance_vip_adverts_sent_total", "VIP advert datagrams sent.");
        w.Sample("appliance_vip_adverts_sent_total", a.SentCount);
        w.Counter("appliance_vip_adverts_send_failures_total", "VIP advert datagrams that could not be sent.");
        w.Sample("appliance_vip_adverts_send_failures_total", a.SendFailures);
        w.Counter("appliance_vip_adverts_received_total", "VIP advert datagrams accepted.");
        w.Sample("appliance_vip_adverts_received_total", a.ReceivedCount);
        w.Counter("appliance_vip_adverts_rejected_total", "VIP advert datagrams dropped, by reason (signature: another key or altered; replayed; stale: an older incarnation).");
        foreach (var reason in Enum.GetValues<AdvertRejection>().Where(r => r != AdvertRejection.None))
        {
            w.Sample("appliance_vip_adverts_rejected_total", a.RejectedCount(reason), ("reason", reason.ToString().ToLowerInvariant()));
        }

        w.Sample("appliance_vip_adverts_rejected_total", a.ReplayedCount, ("reason", "replayed"));
        w.Sample("appliance_vip_adverts_rejected_total", a.StaleCount, ("reason", "stale"));
        w.Counter("appliance_vip_adverts_silences_total", "Times a peer fell silent past the master-down interval (presumed dead).");
        w.Sample("appliance_vip_adverts_silences_total", a.SilenceCount);
    }
}

using Appliance.Cluster.Hosting;
using Appliance.Cluster.Membership;
using Appliance.Management.Metrics;
using Appliance.Management.Sources;
using Appliance.Core.Membership;

namespace Appliance.Node.Management;

/// <summary>Membership and cluster-transport metrics.</summary>
internal sealed class ClusterMetricsSource(ClusterService cluster) : IMetricsSource
{
    public void Write(PrometheusWriter w)
    {
        var view = cluster.Current;
        w.Gauge("appliance_cluster_members", "Members by state as this node sees them; 'unreachable' counts Up members someone cannot reach.");
        foreach (var state in Enum.GetValues<MemberStatus>().Select(s => s.ToText()).Append("unreachable"))
        {
            var count = view.Members.Count(m => (!m.Reachable && m.Status == MemberStatus.Up ? "unreachable" : m.Status.ToText()) == state);
            w.Sample("appliance_cluster_members", count, ("state", state));
        }

        w.Gauge("appliance_cluster_member_phi", "This node's phi accrual suspicion of each other member.");
        foreach (var m in view.Members.Where(m => !m.IsSelf))
        {
            w.Sample("appliance_cluster_member_phi", m.Phi, ("member", m.Name));
        }

        w.Gauge("appliance_cluster_leader", "1 when this node is the cluster leader.");
        w.Sample("appliance_cluster_leader", view.IsLeader ? 1 : 0);
        w.Gauge("appliance_cluster_converged", "1 when every reachable member has seen the current gossip.");
        w.Sample("appliance_cluster_converged", view.Converged ? 1 : 0);
        var transitions = cluster.MemberTransitions;
        w.Counter("appliance_cluster_member_transitions_total", "Other members' changes as this node saw them: became unreachable, reachable again, marked down, removed.");
        w.Sample("appliance_cluster_member_transitions_total", transitions.Unreachable, ("to", "unreachable"));
        w.Sample("appliance_cluster_member_transitions_total", transitions.ReachableAgain, ("to", "reachable"));
        w.Sample("appliance_cluster_member_transitions_total", transitions.Downed, ("to", "down"));
        w.Sample("appliance_cluster_member_transitions_total", transitions.Removed, ("to", "removed"));
        w.Gauge("appliance_cluster_member_phi_max", "The highest phi this node computed for another member while it was Up, since start (the threshold is 8 by default).");
        w.Sample("appliance_cluster_member_phi_max", transitions.MaxPhiOfUpMember);
        w.Counter("appliance_cluster_incarnations_total", "Incarnations of this node since start (above 1 after being downed or losing a partition merge).");
        w.Sample("appliance_cluster_incarnations_total", view.Incarnations);

        var stats = cluster.TransportStats;
        w.Counter("appliance_cluster_frames_total", "Cluster frames sent and received.");
        w.Sample("appliance_cluster_frames_total", stats.FramesSent, ("direction", "sent"));
        w.Sample("appliance_cluster_frames_total", stats.FramesReceived, ("direction", "received"));
        w.Counter("appliance_cluster_bytes_total", "Cluster bytes sent and received.");
        w.Sample("appliance_cluster_bytes_total", stats.BytesSent, ("direction", "sent"));
        w.Sample("appliance_cluster_bytes_total", stats.BytesReceived, ("direction", "received"));
        w.Counter("appliance_cluster_frames_rejected_total", "Frames dropped and their connection closed, by reason.");
        w.Sample("appliance_cluster_frames_rejected_total", stats.RejectedAuth, ("reason", "auth"));
        w.Sample("appliance_cluster_frames_rejected_total", stats.RejectedReplay, ("reason", "replay"));
        w.Sample("appliance_cluster_frames_rejected_total", stats.RejectedMalformed, ("reason", "malformed"));
        w.Sample("appliance_cluster_frames_rejected_total", stats.RejectedOversized, ("reason", "oversized"));
        w.Counter("appliance_cluster_messages_dropped_total", "Messages dropped from full send queues.");
        w.Sample("appliance_cluster_messages_dropped_total", stats.Dropped);
        var stale = cluster.StaleMessages;
        w.Counter("appliance_cluster_messages_rejected_total", "Authentic messages dropped unread because they belong to another incarnation, by reason.");
        w.Sample("appliance_cluster_messages_rejected_total", stale.ForEarlierIncarnation, ("reason", "for_earlier_incarnation"));
        w.Sample("appliance_cluster_messages_rejected_total", stale.FromDownedIncarnation, ("reason", "from_downed_incarnation"));
    }
}

using Appliance.Cluster.Hosting;
using Appliance.Management.Metrics;
using Appliance.Management.Sources;
using Appliance.Core.Membership;

namespace Appliance.Node.Management;

/// <summary>Membership and cluster-transport metrics.</summary>
internal sealed class ClusterMetricsSource(ClusterHost cluster) : IMetricsSource
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

        w.Gauge("appliance_cluster_member_reachable", "1 when the member is reachable in Akka's merged reachability (no member reports it unreachable); Akka does not hand out phi values.");
        foreach (var m in view.Members.Where(m => !m.IsSelf))
        {
            w.Sample("appliance_cluster_member_reachable", m.Reachable ? 1 : 0, ("member", m.Name));
        }

        w.Gauge("appliance_cluster_leader", "1 when this node is the cluster leader.");
        w.Sample("appliance_cluster_leader", view.IsLeader ? 1 : 0);
        w.Gauge("appliance_cluster_converged", "1 when every Up member has seen the current gossip and none is unreachable.");
        w.Sample("appliance_cluster_converged", view.Converged ? 1 : 0);
        var stats = cluster.Stats;
        w.Counter("appliance_cluster_member_transitions_total", "Other members' changes as this node saw them: became unreachable, reachable again, marked down, removed.");
        w.Sample("appliance_cluster_member_transitions_total", stats.MembersUnreachable, ("to", "unreachable"));
        w.Sample("appliance_cluster_member_transitions_total", stats.MembersReachableAgain, ("to", "reachable"));
        w.Sample("appliance_cluster_member_transitions_total", stats.MembersDowned, ("to", "down"));
        w.Sample("appliance_cluster_member_transitions_total", stats.MembersRemoved, ("to", "removed"));
        w.Counter("appliance_cluster_incarnations_total", "Incarnations (ActorSystems) of this node since start; above 1 after being downed, quarantined, or ended by a failed TLS dial.");
        w.Sample("appliance_cluster_incarnations_total", stats.Incarnations);
        w.Counter("appliance_cluster_incarnations_lost_total", "Incarnations that ended while the node was serving (each replaced by a fresh one).");
        w.Sample("appliance_cluster_incarnations_lost_total", stats.IncarnationsLost);
        w.Counter("appliance_cluster_start_failures_total", "Incarnations that could not start (the cluster port in use, for instance); retried with backoff.");
        w.Sample("appliance_cluster_start_failures_total", stats.StartFailures);
        w.Counter("appliance_cluster_handshakes_total", "TLS handshakes of the cluster transport by outcome; refused: the peer's certificate is not from this cluster's key; no_tls: a peer sent this node bytes that are no TLS; peer_closed: a peer closed the handshake this node began (no_tls and peer_closed: most likely a node of an earlier release).");
        w.Sample("appliance_cluster_handshakes_total", cluster.Authenticator.Accepted, ("outcome", "accepted"));
        w.Sample("appliance_cluster_handshakes_total", cluster.Authenticator.Refused, ("outcome", "refused"));
        w.Sample("appliance_cluster_handshakes_total", cluster.ForeignPeers.NoTls, ("outcome", "no_tls"));
        w.Sample("appliance_cluster_handshakes_total", cluster.ForeignPeers.PeerClosed, ("outcome", "peer_closed"));
    }
}

namespace Appliance.Cluster.Membership;

/// <summary>Whether a received message belongs to the current lives of its sender and of this node (see <see cref="ClusterCore.CheckIncarnation"/>).</summary>
public enum StaleMessage
{
    /// <summary>From a live incarnation, to this one (or to any): handled.</summary>
    Current,

    /// <summary>Addressed to an earlier incarnation of this node (sent before it restarted or rejoined).</summary>
    ForEarlierIncarnation,

    /// <summary>Sent by an incarnation the cluster has downed or removed (its node has restarted, or it lost a partition).</summary>
    FromDownedIncarnation,
}

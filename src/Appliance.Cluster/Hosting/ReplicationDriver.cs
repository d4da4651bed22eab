using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Replication;
using Appliance.Cluster.Replication.Messages;

namespace Appliance.Cluster.Hosting;

/// <summary>
/// Runs the <see cref="Replicator"/> inside the cluster loop: tells it who the members are after
/// every membership tick, routes replication messages to it, and sweeps expired sessions.
/// Called only from the loop's thread.
/// </summary>
internal sealed class ReplicationDriver(Replicator replicator, ReplicatedSessionStore sessions, TimeProvider time)
{
    private const long SweepEveryMs = 1_000;
    private long _nextSweepMs;

    /// <summary>Whether this node holds the cluster's state (pulled from a peer, or alone).</summary>
    public bool IsSynced => replicator.IsSynced;

    public static bool Handles(ClusterMessage message) => message is ReplicaData or ReplicaDigest or ReplicaSyncRequest;

    public IReadOnlyList<Outgoing> Receive(ClusterMessage message) => replicator.Receive(message);

    public IReadOnlyList<Outgoing> Tick(ClusterCore core, long nowMs)
    {
        var members = core.Gossip.Members.Values;
        var peers = core.Phase == NodePhase.Member
            ? members.Where(m => m.Status is MemberStatus.Joining or MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting).Select(m => m.Id)
            : [];
        var gone = members.Where(m => m.Status is MemberStatus.Down or MemberStatus.Removed).Select(m => m.Id.Uid)
            .Concat(core.Gossip.Tombstones.Keys);
        replicator.SetMembers(core.Self, peers, gone);

        if (nowMs >= _nextSweepMs)
        {
            _nextSweepMs = nowMs + SweepEveryMs;
            sessions.Sweep(time.GetUtcNow());
        }

        return replicator.Tick(nowMs);
    }
}

using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Replication;
using Appliance.Cluster.Replication.Messages;
using Microsoft.Extensions.Logging;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Hosting;

/// <summary>
/// Runs the <see cref="Replicator"/> inside the cluster loop: tells it who the members are after
/// every membership tick, routes replication messages to it, sweeps expired sessions, and logs
/// how the start-up sync went. Called only from the loop's thread.
/// </summary>
internal sealed class ReplicationDriver(Replicator replicator, ReplicatedSessionStore sessions, TimeProvider time, ILogger logger)
{
    // A sixteenth of the shards every 100 ms: each shard is walked once per 10 s horizon step, and
    // no turn of the loop walks more than a sixteenth of the table (a whole 1,000,000 at once held
    // the loop that carries deltas and heartbeats for tens of ms).
    private const long SweepEveryMs = 100;
    private const int SweepParts = 16;

    /// <summary>The loop wakes at least this often so local deltas leave within about this long.</summary>
    public const int WakeEveryMs = 5;
    private long _nextSweepMs;
    private long _requestsLogged;
    private SyncStatus _logged = SyncStatus.Waiting;

    /// <summary>Whether this node holds the cluster's state (pulled from a peer, alone, or gave up waiting).</summary>
    public bool IsSynced => replicator.IsSynced;

    public ReplicationStats Stats => replicator.Stats;

    public ReplicatedSessionStore Sessions => sessions;

    public static bool Handles(ClusterMessage message) => ReplicaMessages.Is(message);

    public IReadOnlyList<Outgoing> Receive(ClusterMessage message, long nowMs)
    {
        var outgoing = replicator.Receive(message, nowMs);
        LogSync(outgoing);
        return outgoing;
    }

    /// <summary>See <see cref="Replicator.Tick"/> for <paramref name="backlogged"/>.</summary>
    public IReadOnlyList<Outgoing> Tick(ClusterCore core, long nowMs, Func<UniqueAddress, bool>? backlogged = null)
    {
        var members = core.Gossip.Members.Values;
        var isMember = core.Phase == NodePhase.Member;
        var peers = isMember
            ? members.Where(m => m.Status is MemberStatus.Joining or MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting).Select(m => m.Id)
            : [];
        var gone = members.Where(m => m.Status is MemberStatus.Down or MemberStatus.Removed).Select(m => m.Id.Uid)
            .Concat(core.Gossip.Tombstones.Keys);
        replicator.SetMembers(core.Self, isMember, peers, gone);

        if (nowMs >= _nextSweepMs)
        {
            _nextSweepMs = nowMs + SweepEveryMs;
            sessions.Sweep(time.GetUtcNow(), Math.Max(1, sessions.ShardCount / SweepParts));
        }

        var outgoing = replicator.Tick(nowMs, backlogged);
        LogSync(outgoing);
        return outgoing;
    }

    private void LogSync(IReadOnlyList<Outgoing> outgoing)
    {
        if (replicator.Stats.SyncRequests > _requestsLogged)
        {
            _requestsLogged = replicator.Stats.SyncRequests;
            var to = outgoing.FirstOrDefault(o => o.Message is ReplicaSyncRequest);
            ReplicationLog.Pulling(logger, to?.To.ToString() ?? "a peer", _requestsLogged);
        }

        var status = replicator.Status;
        if (status == _logged || !status.IsDone())
        {
            return;
        }

        _logged = status;
        switch (status)
        {
            case SyncStatus.Synced:
                ReplicationLog.Synced(logger, replicator.Stats.SyncDurationMs, sessions.Count);
                break;
            case SyncStatus.Alone:
                ReplicationLog.Alone(logger);
                break;
            case SyncStatus.GaveUp:
                ReplicationLog.GaveUp(logger, replicator.Stats.SyncDurationMs, replicator.Stats.SyncRequests, sessions.Count);
                break;
        }
    }
}

namespace Appliance.Core.Membership;

/// <summary>
/// Whether this node holds the cluster's replicated state yet. Readiness and VIP ownership wait
/// for it, so a restarted node serves no client and claims no address with an empty session table.
/// </summary>
public interface IStateSyncStatus
{
    /// <summary>True once synced from a peer, alone, or past the upper bound of the wait.</summary>
    bool IsStateSynced { get; }
}

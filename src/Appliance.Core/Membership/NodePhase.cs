namespace Appliance.Core.Membership;

/// <summary>Where this node is in its own life cycle as a cluster member.</summary>
public enum NodePhase
{
    /// <summary>Looking for a cluster through the seeds.</summary>
    Seeking,

    /// <summary>A member (any status until it has exited).</summary>
    Member,

    /// <summary>Left gracefully and was removed: nothing more to do.</summary>
    Stopped,
}

namespace Appliance.Core.Membership;

/// <summary>A member's life cycle, as in Akka.Cluster (WeaklyUp is not used yet).</summary>
public enum MemberStatus
{
    Joining,
    Up,
    Leaving,
    Exiting,
    Down,
    Removed,
}

/// <summary>How a status is written for operators (API answers, logs, metric labels).</summary>
public static class MemberStatusText
{
    /// <summary>Lower case, as the admin API and the metrics label it: <c>up</c>, <c>weaklyup</c>, ...</summary>
    public static string ToText(this MemberStatus status) => status.ToString().ToLowerInvariant();
}

using Appliance.Core.Membership;

namespace Appliance.Cluster.Membership;

/// <summary>A cluster member: an incarnation, its name, its status, and when it came up (for "oldest").</summary>
public sealed record Member(UniqueAddress Id, string Name, MemberStatus Status, long UpNumber)
{
    public Member With(MemberStatus status) => this with { Status = status };

    /// <summary>Conflict resolution for one incarnation: the higher-priority status wins.</summary>
    public static Member PickHighestPriority(Member a, Member b) =>
        MemberStatuses.Priority(a.Status) >= MemberStatuses.Priority(b.Status)
            ? a with { UpNumber = Math.Max(a.UpNumber, b.UpNumber) }
            : b with { UpNumber = Math.Max(a.UpNumber, b.UpNumber) };
}

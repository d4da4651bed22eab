using Akka.Actor;
using Akka.Cluster;
using Appliance.Core.Membership;
using AkkaStatus = Akka.Cluster.MemberStatus;
using MemberStatus = Appliance.Core.Membership.MemberStatus;

namespace Appliance.Cluster.Membership;

/// <summary>Maps Akka.Cluster's state onto the read model of <c>Appliance.Core.Membership</c>.</summary>
internal static class ViewMapping
{
    /// <summary>
    /// The view of <paramref name="state"/> as <paramref name="self"/> sees it; <paramref name="seenBy"/>
    /// (who has seen the latest gossip) decides convergence.
    /// Akka keeps its phi values to itself (the detector registry does not hand them out), so
    /// reachability is the signal.
    /// </summary>
    public static ClusterView ToView(
        ClusterEvent.CurrentClusterState state, IReadOnlySet<Address> seenBy, UniqueAddress self, int incarnations, bool left, DateTimeOffset now)
    {
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        var members = state.Members
            .Where(m => m.Status != AkkaStatus.Removed)
            .Select(m => new MemberView(
                NameOf(m),
                AddressText(m.Address),
                unchecked((ulong)m.UniqueAddress.Uid),
                ToStatus(m.Status),
                !unreachable.Contains(m.UniqueAddress),
                m.UniqueAddress.Equals(self),
                m.Address.Equals(state.Leader)))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        var selfMember = state.Members.FirstOrDefault(m => m.UniqueAddress.Equals(self));
        var phase = left ? NodePhase.Stopped : selfMember is null ? NodePhase.Seeking : NodePhase.Member;
        var upAddresses = state.Members.Where(m => m.Status == AkkaStatus.Up).Select(m => m.Address);
        var converged = unreachable.Count == 0 && upAddresses.All(seenBy.Contains);
        return new ClusterView(
            selfMember is null ? "" : NameOf(selfMember),
            phase,
            incarnations,
            selfMember is not null && self.Address.Equals(state.Leader),
            phase == NodePhase.Member && converged,
            members,
            now);
    }

    /// <summary>The node name from the <c>node:</c> role, else the address (a member started by something else).</summary>
    public static string NameOf(Member m) =>
        m.Roles.FirstOrDefault(r => r.StartsWith(Settings.ClusterSettings.NodeRolePrefix, StringComparison.Ordinal)) is { } role
            ? role[Settings.ClusterSettings.NodeRolePrefix.Length..]
            : AddressText(m.Address);

    public static string AddressText(Address address) => address.Host is { } host
        ? (host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{address.Port}" : $"{host}:{address.Port}")
        : address.ToString();

    public static MemberStatus ToStatus(AkkaStatus status) => status switch
    {
        AkkaStatus.Joining or AkkaStatus.WeaklyUp => MemberStatus.Joining,
        AkkaStatus.Up => MemberStatus.Up,
        AkkaStatus.Leaving => MemberStatus.Leaving,
        AkkaStatus.Exiting => MemberStatus.Exiting,
        AkkaStatus.Down => MemberStatus.Down,
        _ => MemberStatus.Removed,
    };
}

using System.Text.Json;
using Appliance.Management.Contracts;
using Appliance.Node.Management;
using Appliance.Core.Membership;

namespace Appliance.Tests.Cluster;

/// <summary>
/// <c>GET /api/v1/cluster/members</c> must answer whatever the failure detector says: a peer cut
/// off for long has phi +infinity, which JSON cannot carry (the partition fault test found the
/// endpoint answering 500 for as long as the cut-off peer stayed in the list).
/// </summary>
public sealed class ClusterMembersViewTests
{
    [Fact]
    public void Describe_InfiniteOrUndefinedPhi_SerializesWithPhiCappedOrLeftOut()
    {
        var view = new ClusterView("lb1", NodePhase.Member, 1, true, false,
        [
            Member("lb1", 0, self: true),
            Member("lb2", double.PositiveInfinity),
            Member("lb3", double.NaN),
            Member("lb4", 3.5),
        ], DateTimeOffset.UnixEpoch);

        var response = ClusterMembersView.Describe(view);
        var json = JsonSerializer.Serialize(response, AdminJson.Context.MembersResponse);
        var members = JsonSerializer.Deserialize(json, AdminJson.Context.MembersResponse)!.Members.ToDictionary(m => m.Name);

        Assert.Null(members["lb1"].Phi);
        Assert.Equal(ClusterMembersView.MaxPhi, members["lb2"].Phi);
        Assert.Equal("unreachable", members["lb2"].State);
        Assert.Null(members["lb3"].Phi);
        Assert.Equal(3.5, members["lb4"].Phi);
    }

    private static MemberView Member(string name, double phi, bool self = false) =>
        new(name, $"198.18.0.{name[^1]}:7946", (ulong)name[^1], MemberStatus.Up, Reachable: self || double.IsFinite(phi) && phi < 8, phi, null, self, self);
}

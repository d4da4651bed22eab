using System.Text.Json;
using Appliance.Management.Contracts;
using Appliance.Node.Management;
using Appliance.Core.Membership;

namespace Appliance.Tests.Cluster;

/// <summary>
/// <c>GET /api/v1/cluster/members</c>: each member with its state as this node sees it; an Up
/// member that someone cannot reach shows as <c>unreachable</c>. No phi and no since: Akka hands
/// out neither, and the answer carries nothing it cannot know.
/// </summary>
public sealed class ClusterMembersViewTests
{
    [Fact]
    public void Describe_UnreachableUpMemberShowsUnreachable_AndTheAnswerCarriesNoPhiOrSince()
    {
        var view = new ClusterView("lb1", NodePhase.Member, 1, true, false,
        [
            Member("lb1", MemberStatus.Up, reachable: true, self: true),
            Member("lb2", MemberStatus.Up, reachable: false),
            Member("lb3", MemberStatus.Leaving, reachable: false),
            Member("lb4", MemberStatus.Up, reachable: true),
        ], DateTimeOffset.UnixEpoch);

        var response = ClusterMembersView.Describe(view);
        var json = JsonSerializer.Serialize(response, AdminJson.Context.MembersResponse);
        var members = JsonSerializer.Deserialize(json, AdminJson.Context.MembersResponse)!.Members.ToDictionary(m => m.Name);

        Assert.True(members["lb1"].Self);
        Assert.Equal("up", members["lb1"].State);
        Assert.Equal("unreachable", members["lb2"].State);
        Assert.Equal("leaving", members["lb3"].State);
        Assert.Equal("up", members["lb4"].State);
        Assert.DoesNotContain("\"phi\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"since\"", json, StringComparison.Ordinal);
    }

    private static MemberView Member(string name, MemberStatus status, bool reachable, bool self = false) =>
        new(name, $"198.18.0.{name[^1]}:7946", (ulong)name[^1], status, reachable, self, self);
}

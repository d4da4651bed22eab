using Appliance.Cluster.Membership;
using Appliance.Core.Membership;

namespace Appliance.Tests.Membership;

public sealed class MemberStatusTests
{
    [Theory]
    [InlineData(MemberStatus.Joining, MemberStatus.Up, true)]
    [InlineData(MemberStatus.Up, MemberStatus.Leaving, true)]
    [InlineData(MemberStatus.Leaving, MemberStatus.Exiting, true)]
    [InlineData(MemberStatus.Exiting, MemberStatus.Removed, true)]
    [InlineData(MemberStatus.Up, MemberStatus.Down, true)]
    [InlineData(MemberStatus.Down, MemberStatus.Removed, true)]
    [InlineData(MemberStatus.Down, MemberStatus.Up, false)]
    [InlineData(MemberStatus.Removed, MemberStatus.Joining, false)]
    [InlineData(MemberStatus.Up, MemberStatus.Joining, false)]
    [InlineData(MemberStatus.Exiting, MemberStatus.Leaving, false)]
    public void CanMove_FollowsAkkaTransitions(MemberStatus from, MemberStatus to, bool allowed) =>
        Assert.Equal(allowed, MemberStatuses.CanMove(from, to));

    [Fact]
    public void Priority_RemovedDownExitingLeavingUpJoining()
    {
        MemberStatus[] order = [MemberStatus.Removed, MemberStatus.Down, MemberStatus.Exiting, MemberStatus.Leaving, MemberStatus.Up, MemberStatus.Joining];
        for (var i = 1; i < order.Length; i++)
        {
            Assert.True(MemberStatuses.Priority(order[i - 1]) > MemberStatuses.Priority(order[i]));
        }
    }

    [Fact]
    public void PickHighestPriority_DownBeatsUp_KeepsUpNumber()
    {
        var id = new UniqueAddress(new NodeAddress("n1", 7946), 7);
        var up = new Member(id, "a", MemberStatus.Up, 3);
        var down = new Member(id, "a", MemberStatus.Down, 0);

        var picked = Member.PickHighestPriority(up, down);

        Assert.Equal(MemberStatus.Down, picked.Status);
        Assert.Equal(3, picked.UpNumber);
        Assert.Equal(picked, Member.PickHighestPriority(down, up));
    }
}

using Appliance.Cluster.Membership;
using Appliance.Core.Membership;

namespace Appliance.Tests.Membership;

public sealed class GossipTests
{
    private static readonly UniqueAddress A = new(new NodeAddress("a", 1), 1);
    private static readonly UniqueAddress B = new(new NodeAddress("b", 1), 2);
    private static readonly UniqueAddress C = new(new NodeAddress("c", 1), 3);

    private static Gossip With(params Member[] members)
    {
        var g = Gossip.Empty;
        foreach (var m in members)
        {
            g = g.With(m);
        }

        return g;
    }

    [Fact]
    public void Merge_ConflictingStatuses_HigherPriorityWins_AndVersionsJoin()
    {
        var left = With(new(A, "a", MemberStatus.Up, 1), new(B, "b", MemberStatus.Up, 2)).Changed(A.Uid);
        var right = With(new(A, "a", MemberStatus.Up, 1), new(B, "b", MemberStatus.Down, 2), new(C, "c", MemberStatus.Joining, 0)).Changed(B.Uid);

        var merged = left.Merge(right);

        Assert.Equal(MemberStatus.Down, merged.Find(B.Uid)!.Status);
        Assert.Equal(MemberStatus.Joining, merged.Find(C.Uid)!.Status);
        Assert.Equal(VersionOrder.After, merged.Version.CompareTo(left.Version));
        Assert.Equal(VersionOrder.After, merged.Version.CompareTo(right.Version));
        Assert.Empty(merged.Seen);
    }

    [Fact]
    public void Merge_IsCommutativeOnMembers()
    {
        var left = With(new(A, "a", MemberStatus.Leaving, 1), new(B, "b", MemberStatus.Up, 2)).Changed(A.Uid);
        var right = With(new(A, "a", MemberStatus.Up, 1), new(C, "c", MemberStatus.Up, 3)).Changed(C.Uid);

        Assert.Equal(left.Merge(right).Members, right.Merge(left).Members);
    }

    [Fact]
    public void Merge_Tombstoned_StaysRemoved()
    {
        var removed = With(new(A, "a", MemberStatus.Up, 1), new(B, "b", MemberStatus.Down, 2)).Remove([B.Uid], 1000);
        var stale = With(new(A, "a", MemberStatus.Up, 1), new(B, "b", MemberStatus.Up, 2));

        var merged = stale.Merge(removed);

        Assert.Null(merged.Find(B.Uid));
        Assert.True(merged.IsTombstoned(B.Uid));
    }

    [Fact]
    public void HasConvergence_NeedsEveryReachableLiveMemberToHaveSeen()
    {
        var g = With(new(A, "a", MemberStatus.Up, 1), new(B, "b", MemberStatus.Up, 2)).Changed(A.Uid);
        Assert.False(g.HasConvergence());
        Assert.True(g.MarkSeen(B.Uid).HasConvergence());
    }

    [Fact]
    public void HasConvergence_UnreachableUpBlocks_UnreachableDownDoesNot()
    {
        var g = With(new(A, "a", MemberStatus.Up, 1), new(B, "b", MemberStatus.Up, 2)).Changed(A.Uid);
        g = g with { Reachability = g.Reachability.Unreachable(A.Uid, B.Uid) };
        Assert.False(g.HasConvergence());

        g = g.With(new Member(B, "b", MemberStatus.Down, 2));
        Assert.True(g.HasConvergence());
    }

    [Fact]
    public void Leader_IsFirstReachableUpByAddress()
    {
        var g = With(new(A, "a", MemberStatus.Up, 1), new(B, "b", MemberStatus.Up, 2), new(C, "c", MemberStatus.Joining, 0));
        Assert.Equal(A, g.Leader()!.Id);

        g = g with { Reachability = g.Reachability.Unreachable(B.Uid, A.Uid) };
        Assert.Equal(B, g.Leader()!.Id);
    }

    [Fact]
    public void Reachability_MergeKeepsNewerRowsPerObserver()
    {
        var older = Reachability.Empty.Unreachable(A.Uid, C.Uid);
        var newer = older.Reachable(A.Uid, C.Uid).Unreachable(A.Uid, B.Uid);
        var allowed = new HashSet<ulong> { A.Uid, B.Uid, C.Uid };

        var merged = older.Merge(allowed, newer);

        Assert.True(merged.IsReachable(C.Uid));
        Assert.False(merged.IsReachable(B.Uid));
        Assert.Equal(merged.Records, newer.Merge(allowed, older).Records);
    }
}

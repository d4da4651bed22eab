using Appliance.Vip;
using Appliance.Vip.Ownership;

namespace Appliance.Tests;

/// <summary><c>vip move</c> and the graceful-stop release, as the controller applies them.</summary>
public sealed class VipControllerMoveTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly VipDefinition Def = new("198.18.0.10/24", "198.18.0.10/24", "eth0",
        new Dictionary<string, int> { ["a"] = 200, ["b"] = 100, ["c"] = 50 }, true, TimeSpan.Zero);

    private sealed class NullDriver : IVipDriver
    {
        public IReadOnlyList<string> RemoveStale(IReadOnlyList<VipDefinition> vips) => [];

        public string? Add(VipDefinition vip) => null;

        public string? Remove(VipDefinition vip) => null;

        public int Announce(VipDefinition vip) => 1;
    }

    private static VipController Holding()
    {
        var c = new VipController([Def], new Dictionary<string, AnnounceSettings>(), new NullDriver(), "a");
        c.Tick([new("a"), new("b"), new("c")], T0);
        return c;
    }

    [Fact]
    public void Move_Refusals_SayWhy()
    {
        var c = Holding();
        var backup = new VipController([Def], new Dictionary<string, AnnounceSettings>(), new NullDriver(), "b");
        backup.Tick([new("a", Claims: new HashSet<string> { Def.Name }), new("b")], T0);

        Assert.Contains("is not a VIP here", c.Move("198.18.0.99", null), StringComparison.Ordinal);
        Assert.Contains("is held by a, not by b", backup.Move("198.18.0.10", null), StringComparison.Ordinal);
        Assert.Contains("already held by a", c.Move("198.18.0.10", "a"), StringComparison.Ordinal);
        Assert.Contains("zz may not hold", c.Move("198.18.0.10", "zz"), StringComparison.Ordinal);
        Assert.Null(c.SelfMember(new Dictionary<string, int>()).Yields);
    }

    [Fact]
    public void Move_Accepted_ByAddressWithOrWithoutPrefix_SelfReleasesItToTheTarget()
    {
        var c = Holding();

        Assert.Null(c.Move("198.18.0.10", "c"));
        var self = c.SelfMember(new Dictionary<string, int>());

        Assert.True(self.ReleasesVip(Def.Name));
        Assert.Equal("c", self.YieldTarget(Def.Name));
    }

    [Fact]
    public void Move_ThenHoldingItAgain_EndsTheMove()
    {
        var c = Holding();
        c.Move("198.18.0.10/24", null);
        var releasing = c.SelfMember(new Dictionary<string, int>());
        c.Tick([releasing, new("b", Claims: new HashSet<string> { Def.Name })], T0.AddSeconds(1));
        Assert.Empty(c.Claims);

        // b is gone: a is the only candidate and takes it again, which ends its move.
        c.Tick([c.SelfMember(new Dictionary<string, int>())], T0.AddSeconds(2));

        Assert.Equal([Def.Name], c.Claims);
        Assert.False(c.SelfMember(new Dictionary<string, int>()).ReleasesVip(Def.Name));
    }

    [Fact]
    public void BeginLeaving_EveryVipReleased_HandingOverUntilThePeerClaims()
    {
        var c = Holding();

        c.BeginLeaving();
        c.Tick([c.SelfMember(new Dictionary<string, int>()), new("b"), new("c")], T0.AddSeconds(1));
        var handingOver = c.HandingOver;
        c.Tick([c.SelfMember(new Dictionary<string, int>()), new("b", Claims: new HashSet<string> { Def.Name }), new("c")], T0.AddSeconds(1.05));

        Assert.True(c.Leaving);
        Assert.True(handingOver);
        Assert.False(c.HandingOver);
        Assert.Empty(c.Claims);
    }
}

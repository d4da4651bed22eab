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

        public (int Sent, string? Error) Announce(VipDefinition vip) => (1, null);
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
    public void Tick_TakingAVipItMovedAwayEarlier_NoAdvertClaimsItWithTheStaleMove()
    {
        // a moved v2 to b earlier. Now, in one tick, a hands v1 to b (its move) and b moves v2 back
        // to a. Adverts are built on another thread at any moment, here while v1's address is being
        // removed: one that claims v2 must not still hand v2 to b (a peer would give v2 to b again).
        var v1 = new VipDefinition("v1", "198.18.0.11/24", "eth0", new Dictionary<string, int> { ["a"] = 200, ["b"] = 100 }, false, TimeSpan.Zero);
        var v2 = new VipDefinition("v2", "198.18.0.12/24", "eth0", new Dictionary<string, int> { ["a"] = 200, ["b"] = 100 }, false, TimeSpan.Zero);
        var driver = new HookDriver();
        var c = new VipController([v1, v2], new Dictionary<string, AnnounceSettings>(), driver, "a");
        var none = new Dictionary<string, int>();
        c.Tick([new("a"), new("b")], T0);
        Assert.Null(c.Move("198.18.0.12", "b"));
        c.Tick([c.SelfMember(none), new("b", Claims: new HashSet<string> { "v2" })], T0.AddSeconds(1));
        Assert.Equal(["v1"], c.Claims);

        Assert.Null(c.Move("198.18.0.11", "b"));
        VipMember? seen = null;
        driver.OnRemove = () => seen = c.SelfMember(none);
        var b = new VipMember("b", Claims: new HashSet<string> { "v1", "v2" }, Yields: new Dictionary<string, string?> { ["v2"] = "a" });
        c.Tick([c.SelfMember(none), b], T0.AddSeconds(2));

        Assert.NotNull(seen);
        Assert.True(seen.ClaimsVip("v2"));
        Assert.False(seen.ReleasesVip("v2"));
        Assert.Equal(["v2"], c.Claims);
    }

    private sealed class HookDriver : IVipDriver
    {
        public Action? OnRemove { get; set; }

        public IReadOnlyList<string> RemoveStale(IReadOnlyList<VipDefinition> vips) => [];

        public string? Add(VipDefinition vip) => null;

        public string? Remove(VipDefinition vip)
        {
            OnRemove?.Invoke();
            return null;
        }

        public (int Sent, string? Error) Announce(VipDefinition vip) => (1, null);
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

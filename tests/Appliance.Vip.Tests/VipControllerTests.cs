using Appliance.Vip;
using Appliance.Vip.Ownership;

namespace Appliance.Tests;

public sealed class VipControllerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly VipDefinition Def = new("198.18.0.10/24", "198.18.0.10/24", "eth0",
        new Dictionary<string, int> { ["a"] = 200, ["b"] = 100 }, true, TimeSpan.Zero);

    private sealed class FakeDriver : IVipDriver
    {
        public List<string> Calls { get; } = [];

        public string? FailAdd { get; set; }

        public IReadOnlyList<string> RemoveStale(IReadOnlyList<VipDefinition> vips) => [];

        public string? Add(VipDefinition vip)
        {
            Calls.Add("add");
            return FailAdd;
        }

        public string? Remove(VipDefinition vip)
        {
            Calls.Add("remove");
            return null;
        }

        public string? FailAnnounce { get; set; }

        public (int Sent, string? Error) Announce(VipDefinition vip)
        {
            Calls.Add("announce");
            return FailAnnounce is null ? (2, null) : (0, FailAnnounce);
        }
    }

    private static VipController Controller(FakeDriver driver) =>
        new([Def], new Dictionary<string, AnnounceSettings> { [Def.Name] = new(3, TimeSpan.FromMilliseconds(100), TimeSpan.Zero, TimeSpan.Zero) }, driver, "a");

    [Fact]
    public void Tick_Takeover_AddsThenAnnouncesTheBurstOverTicks()
    {
        var driver = new FakeDriver();
        var c = Controller(driver);

        var log = c.Tick([new("a"), new("b")], T0);
        for (var ms = 50; ms <= 500; ms += 50)
        {
            c.Tick([new("a"), new("b")], T0.AddMilliseconds(ms));
        }

        Assert.Equal(["add", "announce", "announce", "announce"], driver.Calls);
        Assert.Contains(log, l => l.Contains("master", StringComparison.Ordinal));
        var status = Assert.Single(c.Current);
        Assert.Equal(VipRole.Master, status.Role);
        Assert.Equal(6, status.AnnouncementsSent);
        Assert.Equal(1, status.Transitions);
        Assert.Equal(["198.18.0.10/24"], c.Claims);
    }

    [Fact]
    public void Tick_AddFails_ShownAndRetriedUntilItWorks()
    {
        var driver = new FakeDriver { FailAdd = "interface 'eth0' does not exist" };
        var c = Controller(driver);

        var log = c.Tick([new("a")], T0);
        Assert.Contains("interface 'eth0' does not exist", log);
        Assert.Equal("interface 'eth0' does not exist", c.Current[0].LastError);

        driver.FailAdd = null;
        c.Tick([new("a")], T0.AddMilliseconds(50));

        Assert.Null(c.Current[0].LastError);
        Assert.Equal(3, driver.Calls.Count(x => x == "add"));
    }

    [Fact]
    public void Tick_LosesToBetterPeer_RemovesAndStopsAnnouncing()
    {
        var driver = new FakeDriver();
        var c = Controller(driver);
        c.Tick([new("a", new Dictionary<string, int> { [Def.Name] = 150 })], T0);

        c.Tick([new("a", new Dictionary<string, int> { [Def.Name] = 150 }), new("b")], T0.AddMilliseconds(50));
        for (var ms = 100; ms <= 7000; ms += 50)
        {
            // b never claims it, so a keeps it for the handover timeout (1 s), then lets go.
            c.Tick([new("a", new Dictionary<string, int> { [Def.Name] = 150 }), new("b")], T0.AddMilliseconds(ms));
        }

        Assert.Equal("remove", driver.Calls[^1]);
        Assert.Equal(["add", "remove"], driver.Calls.Where(x => x != "announce"));
        Assert.Equal(50, c.Current[0].Priorities["a"]);
        Assert.Equal("b", c.Current[0].Owner);
    }

    [Fact]
    public void Tick_HandingOver_NoAnnouncementOfItsBurstGoesOut()
    {
        var driver = new FakeDriver();
        var c = Controller(driver);
        var penalised = new VipMember("a", new Dictionary<string, int> { [Def.Name] = 150 });
        c.Tick([penalised], T0); // master, the first announcement of its burst at once

        // b outranks it from the next tick; a holds the address for b (make before break) while
        // the rest of its burst falls due, and must not announce: b is the one to tell the switch.
        for (var ms = 50; ms <= 600; ms += 50)
        {
            c.Tick([penalised, new("b")], T0.AddMilliseconds(ms));
        }

        Assert.True(c.HandingOver);
        Assert.Equal(["add", "announce"], driver.Calls);
    }

    [Fact]
    public void Tick_AnnounceFails_KeepsTheAddressAndShowsTheErrorOnce()
    {
        var driver = new FakeDriver { FailAnnounce = "libpcap cannot be loaded: install libpcap0.8" };
        var c = Controller(driver);
        var t0 = DateTimeOffset.UnixEpoch;

        var first = c.Tick([new VipMember("a")], t0);
        var later = c.Tick([new VipMember("a")], t0.AddMilliseconds(150));

        Assert.Contains(first, l => l.Contains("install libpcap0.8", StringComparison.Ordinal));
        Assert.DoesNotContain(later, l => l.Contains("libpcap", StringComparison.Ordinal));
        Assert.Equal(VipRole.Master, c.Current[0].Role);
        Assert.Equal(0, c.Current[0].AnnouncementsSent);
        Assert.Equal(driver.FailAnnounce, c.Current[0].LastError);
    }
}

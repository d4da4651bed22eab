using Appliance.Proxy.SessionAffinity;

namespace Appliance.Tests.SessionAffinity;

public sealed class StickyHintTests
{
    private static readonly byte[] KeyA = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyB = Enumerable.Range(2, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void SameClusterKey_SameHint_OnEveryNode_OtherKeyOrBackendOrSlot_Differs()
    {
        var node1 = StickyHint.FromClusterKey(KeyA);
        var node2 = StickyHint.FromClusterKey(KeyA);
        var other = StickyHint.FromClusterKey(KeyB);

        var hint = node1.Of("web", "backend-1", 100);

        Assert.Equal(StickyHint.Length, hint.Length);
        Assert.Equal(hint, node2.Of("web", "backend-1", 100));
        Assert.Equal(hint, node2.Current("web", "backend-1", 100));
        Assert.NotEqual(hint, other.Of("web", "backend-1", 100));
        Assert.NotEqual(hint, node1.Of("web", "backend-2", 100));
        Assert.NotEqual(hint, node1.Of("api", "backend-1", 100));
        Assert.NotEqual(hint, node1.Of("web", "backend-1", 101));
        Assert.DoesNotContain("backend", hint, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(99, true)]   // a node whose clock is a little behind
    [InlineData(100, true)]
    [InlineData(104, true)]  // a full idle timeout later
    [InlineData(105, false)] // past 1.25 idle timeouts
    [InlineData(98, false)]
    public void Names_AcceptsTheSlotWindow(long currentSlot, bool accepted)
    {
        var hints = StickyHint.FromClusterKey(KeyA);
        var hint = hints.Of("web", "backend-1", 100);

        Assert.Equal(accepted, hints.Names(hint, "web", "backend-1", currentSlot));
        Assert.False(hints.Names(hint, "web", "backend-2", 100));
    }

    [Fact]
    public void SlotOf_IsAQuarterOfTheIdleTimeout()
    {
        var idle = TimeSpan.FromMinutes(20);
        var start = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
        var slot = StickyHint.SlotOf(start, idle);

        Assert.Equal(slot, StickyHint.SlotOf(start + TimeSpan.FromMinutes(4.9), idle)); // 12:00 starts a 5-minute slot
        Assert.Equal(StickyHint.SlotsPerTimeout, StickyHint.SlotOf(start + idle, idle) - slot);
        Assert.Equal(1, StickyHint.SlotOf(start + TimeSpan.FromMinutes(5), idle) - slot);
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA", true, null)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBB", true, "BBBBBBBB")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.BBBBBBB", false, null)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA-BBBBBBBB", false, null)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA", false, null)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.BBBB+BBB", false, null)]
    [InlineData("backend-1", false, null)]
    [InlineData("", false, null)]
    public void CookieValue_KeyAndOptionalHint_AnythingElseIsRefused(string cookie, bool valid, string? hint)
    {
        Assert.Equal(valid, ApplianceCookieAffinityPolicy.TryParse(cookie, out var key, out var parsedHint));
        if (valid)
        {
            Assert.Equal("AAAAAAAAAAAAAAAAAAAAAA", key);
            Assert.Equal(hint, parsedHint);
        }
    }
}

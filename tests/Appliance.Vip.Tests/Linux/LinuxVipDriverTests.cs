using System.Runtime.Versioning;
using Appliance.Vip.Linux;
using Appliance.Vip.Ownership;

namespace Appliance.Tests.Linux;

/// <summary>Against the real kernel, on a veth pair created and deleted by the test.</summary>
[SupportedOSPlatform("linux")]
public sealed class LinuxVipDriverTests : IDisposable
{
    private readonly string _link = "vt" + Guid.NewGuid().ToString("N")[..8];

    public LinuxVipDriverTests()
    {
        if (Environment.UserName == "root")
        {
            RootFactAttribute.Ip($"link add {_link} type veth peer name {_link}p");
            RootFactAttribute.Ip($"link set {_link} up");
            RootFactAttribute.Ip($"link set {_link}p up");
        }
    }

    private VipDefinition Vip => new("v", "198.18.200.10/24", _link, new Dictionary<string, int> { ["a"] = 100 }, true, TimeSpan.Zero);

    [RootFact]
    public void AddRemove_OnVeth_AddressAppearsLabelledThenGoes()
    {
        using var driver = new LinuxVipDriver();

        Assert.Null(driver.Add(Vip));
        Assert.Null(driver.Add(Vip));
        var shown = RootFactAttribute.Ip($"-4 addr show dev {_link}");
        Assert.Contains("198.18.200.10/24", shown, StringComparison.Ordinal);
        Assert.Contains(LinuxVipDriver.Label(_link), shown, StringComparison.Ordinal);

        Assert.Null(driver.Remove(Vip));
        Assert.Null(driver.Remove(Vip));
        Assert.DoesNotContain("198.18.200.10", RootFactAttribute.Ip($"-4 addr show dev {_link}"), StringComparison.Ordinal);
    }

    [RootFact]
    public void RemoveStale_LabelledAddressFromEarlierRun_IsRemoved()
    {
        using (var first = new LinuxVipDriver())
        {
            Assert.Null(first.Add(Vip));
        }

        using var second = new LinuxVipDriver();
        var removed = second.RemoveStale([Vip]);

        Assert.Contains(removed, r => r.StartsWith("198.18.200.10/24", StringComparison.Ordinal));
        Assert.DoesNotContain("198.18.200.10", RootFactAttribute.Ip($"-4 addr show dev {_link}"), StringComparison.Ordinal);
    }

    [RootFact]
    public void Announce_OnVeth_PeerReceivesRequestAndReply()
    {
        using var driver = new LinuxVipDriver();
        var before = RxPackets($"{_link}p");

        Assert.Equal((2, null), driver.Announce(Vip));

        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (RxPackets($"{_link}p") < before + 2 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.True(RxPackets($"{_link}p") >= before + 2);
    }

    private static long RxPackets(string link) => long.Parse(File.ReadAllText($"/sys/class/net/{link}/statistics/rx_packets").Trim(), System.Globalization.CultureInfo.InvariantCulture);

    [RootFact]
    public void Add_UnknownInterface_ReturnsErrorNotThrow()
    {
        using var driver = new LinuxVipDriver();

        Assert.Contains("does not exist", driver.Add(Vip with { Interface = "nosuch0" }), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Environment.UserName == "root")
        {
            RootFactAttribute.Ip($"link del {_link}");
        }
    }
}

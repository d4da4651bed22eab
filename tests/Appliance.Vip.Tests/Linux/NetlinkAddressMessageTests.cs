using System.Net;
using Appliance.Vip.Linux;

namespace Appliance.Tests.Linux;

public sealed class NetlinkAddressMessageTests
{
    [Fact]
    public void Build_AddIpv4WithLabel_MatchesGoldenBytes()
    {
        var m = NetlinkAddressMessage.Build(add: true, seq: 7, ifIndex: 3, IPAddress.Parse("198.18.0.10"), 24, "eth0:vip");

        Assert.Equal(
            "38000000" + "1400" + "0506" + "07000000" + "00000000" // nlmsghdr: len 56, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
            + "02" + "18" + "00" + "00" + "03000000" // ifaddrmsg: AF_INET /24 ifindex 3
            + "0800" + "0200" + "c612000a" // IFA_LOCAL
            + "0800" + "0100" + "c612000a" // IFA_ADDRESS
            + "0d00" + "0300" + "657468303a76697000" + "000000", // IFA_LABEL "eth0:vip\0", padded
            Convert.ToHexStringLower(m));
    }

    [Fact]
    public void Build_DeleteIpv6_HasNoLabelAndRequestAckFlags()
    {
        var m = NetlinkAddressMessage.Build(add: false, seq: 1, ifIndex: 2, IPAddress.Parse("2001:db8::10"), 64, "eth0:vip");

        Assert.Equal(
            "40000000" + "1500" + "0500" + "01000000" + "00000000"
            + "0a" + "40" + "00" + "00" + "02000000"
            + "1400" + "0200" + "20010db8000000000000000000000010"
            + "1400" + "0100" + "20010db8000000000000000000000010",
            Convert.ToHexStringLower(m));
    }

    [Fact]
    public void Parse_AckWithErrno_ReturnsPositiveErrno()
    {
        var ack = Convert.FromHexString("24000000" + "0200" + "0000" + "07000000" + "00000000" + "efffffff" + new string('0', 32));

        Assert.Equal(17, NetlinkReply.Parse(ack, null, out _));
    }

    [Fact]
    public void Parse_DumpOfOwnMessage_ReadsAddressAndLabel()
    {
        var m = NetlinkAddressMessage.Build(add: true, seq: 7, ifIndex: 3, IPAddress.Parse("198.18.0.10"), 24, "eth0:vip");
        var found = new List<NetlinkAddress>();

        var result = NetlinkReply.Parse(m, found, out var done);

        Assert.Null(result);
        Assert.False(done);
        Assert.Equal(new NetlinkAddress(3, IPAddress.Parse("198.18.0.10"), 24, "eth0:vip"), Assert.Single(found));
    }
}

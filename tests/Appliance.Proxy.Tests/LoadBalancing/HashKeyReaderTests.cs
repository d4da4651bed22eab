using System.Net;
using Appliance.Proxy.LoadBalancing;

namespace Appliance.Tests.LoadBalancing;

public sealed class HashKeyReaderTests
{
    [Fact]
    public void OfAddress_Ipv4MappedIpv6_SameKeyAsIpv4()
    {
        var v4 = HashKeyReader.OfAddress(IPAddress.Parse("192.0.2.7"));
        var mapped = HashKeyReader.OfAddress(IPAddress.Parse("::ffff:192.0.2.7"));

        Assert.True(v4.HasKey);
        Assert.Equal(v4, mapped);
        Assert.NotEqual(v4, HashKeyReader.OfAddress(IPAddress.Parse("192.0.2.8")));
    }

    [Fact]
    public void OfAddress_Ipv4_HashesItsFourBytes()
    {
        Assert.Equal(StableHash.Of([192, 0, 2, 7]), HashKeyReader.OfAddress(IPAddress.Parse("192.0.2.7")).Hash);
    }

    [Fact]
    public void OfAddress_Null_NoKey() =>
        Assert.False(HashKeyReader.OfAddress(null).HasKey);
}

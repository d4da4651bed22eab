using System.Net;
using Appliance.Core.Configuration;
using Appliance.Proxy.RateLimiting;

namespace Appliance.Tests.RateLimiting;

public sealed class ClientRateLimiterTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RateLimitOptions OnePerSecondBurstTwo = new() { RequestsPerSecond = 1, Burst = 2 };

    private static bool[] Send(ClientRateLimiter limiter, IPAddress? client, int requests, DateTimeOffset now) =>
        [.. Enumerable.Range(0, requests).Select(_ => limiter.TryAcquire(client, now).Allowed)];

    [Fact]
    public void TryAcquire_OverBurst_RefusedWithRetryAfterAndCounted()
    {
        var limiter = new ClientRateLimiter(OnePerSecondBurstTwo);
        var client = IPAddress.Parse("198.51.100.1");
        Send(limiter, client, 2, T0);

        var (allowed, retryAfter) = limiter.TryAcquire(client, T0);

        Assert.False(allowed);
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
        Assert.Equal(1, limiter.Rejected);
    }

    [Fact]
    public void TryAcquire_SeparateClients_SeparateBuckets()
    {
        var limiter = new ClientRateLimiter(OnePerSecondBurstTwo);

        var a = Send(limiter, IPAddress.Parse("198.51.100.1"), 3, T0);
        var b = Send(limiter, IPAddress.Parse("198.51.100.2"), 3, T0);

        Assert.Equal([true, true, false], a);
        Assert.Equal([true, true, false], b);
    }

    [Fact]
    public void TryAcquire_Ipv4MappedIpv6_SameClientAsIpv4()
    {
        var limiter = new ClientRateLimiter(OnePerSecondBurstTwo);
        Send(limiter, IPAddress.Parse("198.51.100.1"), 2, T0);

        Assert.False(limiter.TryAcquire(IPAddress.Parse("::ffff:198.51.100.1"), T0).Allowed);
    }

    [Fact]
    public void TryAcquire_Ipv6Client_OwnBucket()
    {
        var limiter = new ClientRateLimiter(OnePerSecondBurstTwo);
        Send(limiter, IPAddress.Parse("198.51.100.1"), 2, T0);

        Assert.Equal([true, true, false], Send(limiter, IPAddress.Parse("2001:db8::1"), 3, T0));
    }

    [Fact]
    public void TryAcquire_TableFull_NewClientsJudgedWithFreshBucketAndNotStored()
    {
        const int maxClients = 8;
        var limiter = new ClientRateLimiter(OnePerSecondBurstTwo, maxClients);

        for (var i = 0; i < 1000; i++)
        {
            var client = new IPAddress([10, 0, (byte)(i / 256), (byte)(i % 256)]);
            var results = Send(limiter, client, 3, T0);

            // Stored clients keep their bucket and are refused the third request; past the cap a
            // client gets a fresh full bucket every time, so the table cannot have grown.
            bool[] expected = i < maxClients ? [true, true, false] : [true, true, true];
            Assert.Equal(expected, results);
        }

        Assert.Equal(maxClients, limiter.Rejected);
        Assert.False(limiter.TryAcquire(new IPAddress([10, 0, 0, 0]), T0).Allowed); // the first clients are still limited
    }

    [Fact]
    public void TryAcquire_IdleBucketsSwept_RoomForNewClients()
    {
        var limiter = new ClientRateLimiter(OnePerSecondBurstTwo, maxClients: 2);
        Send(limiter, IPAddress.Parse("198.51.100.1"), 1, T0);
        Send(limiter, IPAddress.Parse("198.51.100.2"), 1, T0);
        var newcomer = IPAddress.Parse("198.51.100.3");
        Assert.Equal([true, true, true], Send(limiter, newcomer, 3, T0)); // not stored: table full

        // 11 s later both old buckets have refilled (2 s) and the 10 s sweep drops them.
        Assert.Equal([true, true, false], Send(limiter, newcomer, 3, T0.AddSeconds(11)));
    }

    [Fact]
    public void TryAcquire_NoAddress_SharesOneBucket()
    {
        var limiter = new ClientRateLimiter(OnePerSecondBurstTwo);

        Assert.Equal([true, true, false], Send(limiter, null, 3, T0));
    }
}

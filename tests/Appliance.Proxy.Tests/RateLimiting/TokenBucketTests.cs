using Appliance.Proxy.RateLimiting;

namespace Appliance.Tests.RateLimiting;

public sealed class TokenBucketTests
{
    private const double PerSecond = 2;
    private const int Burst = 3;
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static (int Allowed, TokenBucket Bucket) TakeAll(TokenBucket bucket, DateTimeOffset now, int attempts)
    {
        var allowed = 0;
        for (var n = 0; n < attempts; n++)
        {
            var result = bucket.TryTake(PerSecond, Burst, now);
            bucket = result.Next;
            allowed += result.Allowed ? 1 : 0;
        }

        return (allowed, bucket);
    }

    [Fact]
    public void TryTake_FullBucket_AllowsBurstThenRefusesWithRetryAfter()
    {
        var (allowed, empty) = TakeAll(TokenBucket.Full(Burst, T0), T0, Burst);

        var refused = empty.TryTake(PerSecond, Burst, T0);

        Assert.Equal(Burst, allowed);
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromMilliseconds(500), refused.RetryAfter); // one token at 2/s
    }

    [Fact]
    public void TryTake_PartlyRefilled_RetryAfterIsTheRemainder()
    {
        var (_, empty) = TakeAll(TokenBucket.Full(Burst, T0), T0, Burst);

        var early = empty.TryTake(PerSecond, Burst, T0.AddMilliseconds(250));
        var onTime = early.Next.TryTake(PerSecond, Burst, T0.AddMilliseconds(500));

        Assert.False(early.Allowed);
        Assert.Equal(TimeSpan.FromMilliseconds(250), early.RetryAfter);
        Assert.True(onTime.Allowed);
        Assert.Equal(0, onTime.Next.Tokens, 9);
    }

    [Fact]
    public void TryTake_RefillOverTime_AddsRateTimesElapsed()
    {
        var (_, empty) = TakeAll(TokenBucket.Full(Burst, T0), T0, Burst);

        var (allowed, _) = TakeAll(empty, T0.AddSeconds(1), 5);

        Assert.Equal(2, allowed); // 1 s at 2/s
    }

    [Fact]
    public void TryTake_LongIdle_NeverAboveBurst()
    {
        var (_, empty) = TakeAll(TokenBucket.Full(Burst, T0), T0, Burst);
        var later = T0.AddHours(1);

        var first = empty.TryTake(PerSecond, Burst, later);
        var (allowed, _) = TakeAll(first.Next, later, 10);

        Assert.True(first.Allowed);
        Assert.Equal(Burst - 1, first.Next.Tokens, 9);
        Assert.Equal(Burst - 1, allowed);
    }

    [Fact]
    public void TryTake_ClockStepsBack_GrantsNothingExtra()
    {
        var (_, empty) = TakeAll(TokenBucket.Full(Burst, T0), T0, Burst);

        var result = empty.TryTake(PerSecond, Burst, T0.AddSeconds(-30));

        Assert.False(result.Allowed);
        Assert.Equal(0, result.Next.Tokens, 9);
    }

    [Fact]
    public void TryTake_ClockStepsBackThenReturns_GrantsNothingExtra()
    {
        var (_, empty) = TakeAll(TokenBucket.Full(Burst, T0), T0, Burst);
        var stepBack = empty.TryTake(PerSecond, Burst, T0.AddSeconds(-30));

        var (allowed, _) = TakeAll(stepBack.Next, T0, Burst);

        Assert.Equal(0, allowed); // no time has passed since the bucket was drained at T0
    }
}

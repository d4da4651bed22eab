using Appliance.Proxy.RateLimiting;
using Appliance.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Appliance.Tests.RateLimiting;

public sealed class TokenBucketPropertyTests
{
    [Fact]
    public void TryTake_AnySchedule_GrantsAtMostBurstPlusRateTimesElapsed()
    {
        var schedules =
            from perSecond in Gen.Choose(1, 50)
            from burst in Gen.Choose(1, 20)
            from gapsMs in Gen.ArrayOf(Gen.Choose(0, 500))
            select (perSecond, burst, gapsMs);

        PropertyCheck.Run(Prop.ForAll(schedules.ToArbitrary(), s =>
        {
            var t0 = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
            var now = t0;
            var bucket = TokenBucket.Full(s.burst, t0);
            var granted = 0;
            foreach (var gap in s.gapsMs)
            {
                now = now.AddMilliseconds(gap);
                var (allowed, next, retryAfter) = bucket.TryTake(s.perSecond, s.burst, now);
                bucket = next;
                granted += allowed ? 1 : 0;
                if (bucket.Tokens > s.burst || bucket.Tokens < 0 || allowed != (retryAfter == TimeSpan.Zero))
                {
                    return false;
                }
            }

            return granted <= s.burst + (s.perSecond * (now - t0).TotalSeconds) + 1e-9;
        }));
    }
}

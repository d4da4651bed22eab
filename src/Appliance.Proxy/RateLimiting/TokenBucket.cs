namespace Appliance.Proxy.RateLimiting;

/// <summary>
/// A token bucket as a pure value: refills continuously at a rate, holds at most a burst.
/// Taking a token returns the new bucket, or how long until one is available.
/// </summary>
internal readonly record struct TokenBucket(double Tokens, long UpdatedTicks)
{
    public static TokenBucket Full(int burst, DateTimeOffset now) => new(burst, now.UtcTicks);

    public (bool Allowed, TokenBucket Next, TimeSpan RetryAfter) TryTake(double perSecond, int burst, DateTimeOffset now)
    {
        // A clock that steps back (or callers racing with slightly older timestamps) must not move
        // the stamp back, or the same interval would be refilled twice.
        var stamp = Math.Max(UpdatedTicks, now.UtcTicks);
        var elapsed = (stamp - UpdatedTicks) / (double)TimeSpan.TicksPerSecond;
        var tokens = Math.Min(burst, Tokens + (elapsed * perSecond));
        if (tokens >= 1)
        {
            return (true, new TokenBucket(tokens - 1, stamp), TimeSpan.Zero);
        }

        var wait = TimeSpan.FromSeconds((1 - tokens) / perSecond);
        return (false, new TokenBucket(tokens, stamp), wait);
    }
}

using System.Collections.Concurrent;
using System.Net;
using Appliance.Core.Configuration;

namespace Appliance.Proxy.RateLimiting;

/// <summary>
/// One route's per-client-IP buckets. The table is bounded: idle clients' buckets (which would be
/// full again anyway) are swept, and past the cap new clients are judged with a fresh bucket
/// without being stored, so a flood of addresses cannot exhaust memory.
/// </summary>
internal sealed class ClientRateLimiter(RateLimitOptions options, int maxClients = 100_000)
{
    private readonly ConcurrentDictionary<IPAddress, StrongBucket> _buckets = new();
    private long _rejected;
    private long _lastSweepTicks;

    public RateLimitOptions Options { get; } = options;

    public long Rejected => Interlocked.Read(ref _rejected);

    public (bool Allowed, TimeSpan RetryAfter) TryAcquire(IPAddress? client, DateTimeOffset now)
    {
        client ??= IPAddress.None;
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        SweepIfDue(now);
        if (!_buckets.TryGetValue(client, out var holder))
        {
            holder = _buckets.Count < maxClients
                ? _buckets.GetOrAdd(client, _ => new StrongBucket(TokenBucket.Full(Options.Burst, now)))
                : new StrongBucket(TokenBucket.Full(Options.Burst, now));
        }

        lock (holder)
        {
            var (allowed, next, retryAfter) = holder.Bucket.TryTake(Options.RequestsPerSecond, Options.Burst, now);
            holder.Bucket = next;
            if (!allowed)
            {
                Interlocked.Increment(ref _rejected);
            }

            return (allowed, retryAfter);
        }
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref _lastSweepTicks);
        if (now.UtcTicks - last < TimeSpan.TicksPerSecond * 10
            || Interlocked.CompareExchange(ref _lastSweepTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        // A bucket untouched for long enough to refill completely carries no information.
        var refill = TimeSpan.FromSeconds(Options.Burst / Options.RequestsPerSecond).Ticks;
        foreach (var (address, holder) in _buckets)
        {
            if (now.UtcTicks - holder.Bucket.UpdatedTicks > refill)
            {
                _buckets.TryRemove(address, out _);
            }
        }
    }

    private sealed class StrongBucket(TokenBucket bucket)
    {
        public TokenBucket Bucket { get; set; } = bucket;
    }
}

using Appliance.Cluster.Transport;

namespace Appliance.Tests.Transport;

public sealed class LogThrottleTests
{
    [Fact]
    public void ShouldLog_SameKeyWithinInterval_OnceThenReportsSuppressedCount()
    {
        var time = new SteppingTimeProvider();
        var throttle = new LogThrottle(time, TimeSpan.FromSeconds(10));

        Assert.True(throttle.ShouldLog("10.0.0.9", out var first));
        Assert.False(throttle.ShouldLog("10.0.0.9", out _));
        Assert.False(throttle.ShouldLog("10.0.0.9", out _));
        Assert.True(throttle.ShouldLog("10.0.0.8", out _));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(throttle.ShouldLog("10.0.0.9", out var later));

        Assert.Equal(0, first);
        Assert.Equal(2, later);
    }

    /// <summary>A clock that moves only when told to (timestamps only; no timers needed here).</summary>
    private sealed class SteppingTimeProvider : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}

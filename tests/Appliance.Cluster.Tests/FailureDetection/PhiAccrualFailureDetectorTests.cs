using Appliance.Cluster.FailureDetection;

namespace Appliance.Tests.FailureDetection;

public sealed class PhiAccrualFailureDetectorTests
{
    private static readonly FailureDetectorOptions Defaults = new();

    [Fact]
    public void Phi_KnownPoints_MatchTheLogisticApproximation()
    {
        // At the mean, half the mass is still to come: phi = -log10(0.5).
        Assert.Equal(0.30103, PhiAccrualFailureDetector.Phi(100, 100, 10), 4);
        // Far before the mean, nearly no suspicion; far after, a lot.
        Assert.True(PhiAccrualFailureDetector.Phi(0, 100, 10) < 0.001);
        Assert.True(PhiAccrualFailureDetector.Phi(200, 100, 10) > 20);
        // Monotonic in elapsed time.
        Assert.True(PhiAccrualFailureDetector.Phi(130, 100, 10) < PhiAccrualFailureDetector.Phi(140, 100, 10));
    }

    [Fact]
    public void Phi_BeforeFirstHeartbeat_IsZero()
    {
        var detector = new PhiAccrualFailureDetector(Defaults);
        Assert.Equal(0, detector.Phi(10_000));
        Assert.True(detector.IsAvailable(10_000));
    }

    [Fact]
    public void RegularHeartbeats_ThenSilence_SuspectedBetween500And900Ms()
    {
        var detector = new PhiAccrualFailureDetector(Defaults);
        long now = 0;
        for (var i = 0; i < 100; i++, now += 100)
        {
            detector.Heartbeat(now);
        }

        var last = now - 100;
        var suspectedAt = Enumerable.Range(1, 3000).Select(ms => last + ms).First(t => !detector.IsAvailable(t));

        // Mean 100 ms + 300 ms acceptable pause, deviation floor 50 ms: phi 8 is crossed ~700 ms after the last beat.
        Assert.InRange(suspectedAt - last, 500, 900);
    }

    [Fact]
    public void OneOrTwoMissedHeartbeats_AreNotSuspected()
    {
        var detector = new PhiAccrualFailureDetector(Defaults);
        long now = 0;
        for (var i = 0; i < 50; i++, now += 100)
        {
            detector.Heartbeat(now);
        }

        // Two heartbeats lost (5% loss makes this common): 300 ms of silence.
        Assert.True(detector.IsAvailable(now - 100 + 300));
        Assert.True(detector.Phi(now - 100 + 300) < 1);
    }

    [Fact]
    public void JitteryPeer_LearnsItsDeviation_AndIsSuspectedLater()
    {
        var regular = new PhiAccrualFailureDetector(Defaults);
        var jittery = new PhiAccrualFailureDetector(Defaults);
        var random = new Random(1);
        long a = 0, b = 0;
        for (var i = 0; i < 200; i++)
        {
            regular.Heartbeat(a += 100);
            jittery.Heartbeat(b += 100 + random.Next(-80, 200));
        }

        Assert.True(jittery.Phi(b + 600) < regular.Phi(a + 600));
    }

    [Fact]
    public void HeartbeatHistory_IsBounded_AndTracksRecentIntervals()
    {
        var options = Defaults with { MaxSampleSize = 10 };
        var detector = new PhiAccrualFailureDetector(options);
        long now = 0;
        for (var i = 0; i < 100; i++)
        {
            detector.Heartbeat(now += 1000); // slow at first
        }

        for (var i = 0; i < 10; i++)
        {
            detector.Heartbeat(now += 100); // then fast: only these remain
        }

        Assert.False(detector.IsAvailable(now + 1000));
    }
}

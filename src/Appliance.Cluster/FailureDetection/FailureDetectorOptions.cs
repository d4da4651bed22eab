namespace Appliance.Cluster.FailureDetection;

/// <summary>
/// Failure detector settings. The defaults are tuned for a LAN appliance: a crashed peer is
/// suspected within about 0.7 s (heartbeats every 100 ms, phi 8 reached around 700 ms of
/// silence), while 5% random loss (one or two missing heartbeats) stays far below the threshold.
/// </summary>
public sealed record FailureDetectorOptions
{
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    public double Threshold { get; init; } = 8;
    public TimeSpan AcceptableHeartbeatPause { get; init; } = TimeSpan.FromMilliseconds(300);
    public TimeSpan MinStdDeviation { get; init; } = TimeSpan.FromMilliseconds(50);
    public int MaxSampleSize { get; init; } = 1000;
}

namespace Appliance.Cluster.Wire;

/// <summary>
/// Bounds a decoded message must respect. They keep a hostile (or buggy) peer from making a node
/// hold absurd amounts of state; they sit far above what a real appliance cluster sends.
/// </summary>
internal static class WireLimits
{
    public const int MaxHostLength = 255;
    public const int MaxNameLength = 255;
    public const int MaxMembers = 1_000;
    public const int MaxReachabilityRecords = 100_000;
    public const int MaxObserverVersions = 10_000;
    public const int MaxVersionEntries = 10_000;
    public const int MaxSeen = 10_000;
    public const int MaxTombstones = 100_000;
    public const int MaxShards = 4_096;
    public const int MaxSessionEntries = 10_000;
    public const int MaxSessionKeyLength = 512;
    public const int MaxBackendLength = 512;
    public const long MaxIdleTimeoutMs = 10L * 365 * 24 * 3600 * 1000;
    public const int MaxGaugeNodes = 1_000;
    public const int MaxGaugesPerNode = 10_000;
    public const int MaxDroppedNodes = 100_000;
}

namespace Appliance.Replication.Wire;

/// <summary>
/// Bounds a decoded message must respect: they keep a buggy (or hostile) peer from making a node
/// hold absurd amounts of state, and sit far above what a real appliance cluster sends.
/// </summary>
internal static class WireLimits
{
    /// <summary>Akka.Remote's frame limit is far lower; a payload above this is refused before parsing.</summary>
    public const int MaxPayloadBytes = 4 * 1024 * 1024;
    public const int MaxShards = 4_096;
    public const int MaxSessionEntries = 10_000;
    public const int MaxSessionKeyLength = 512;
    public const int MaxBackendLength = 512;
    public const long MaxIdleTimeoutMs = 10L * 365 * 24 * 3600 * 1000;
    public const int MaxGaugesPerNode = 10_000;
}

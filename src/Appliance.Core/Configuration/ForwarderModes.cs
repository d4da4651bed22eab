namespace Appliance.Core.Configuration;

/// <summary>Which forwarder sends a cluster's HTTP requests (<see cref="ClusterBalancingOptions.Forwarder"/>); compared case-insensitively.</summary>
public static class ForwarderModes
{
    /// <summary>
    /// The default: the proxy's own HTTP/1.1 forwarder for plain-http HTTP/1.1 backends and ordinary
    /// requests from HTTP/1.x clients; YARP's forwarder (HttpClient) for everything else.
    /// </summary>
    public const string Auto = "Auto";

    /// <summary>Always YARP's forwarder.</summary>
    public const string Yarp = "Yarp";

    /// <summary>Every accepted mode.</summary>
    public static IReadOnlyList<string> All { get; } = [Auto, Yarp];
}

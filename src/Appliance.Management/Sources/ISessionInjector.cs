namespace Appliance.Management.Sources;

/// <summary>
/// Benchmark-only: writes synthetic sticky sessions into the node's table at a given rate, so
/// replication can be measured between real processes. Registered only when the node runs with
/// <c>APPLIANCE_DIAGNOSTICS=1</c>; otherwise the endpoint answers 404 and says how to enable it.
/// </summary>
public interface ISessionInjector
{
    /// <summary>Starts writing <paramref name="count"/> sessions, <paramref name="perSecond"/> a second (0: as fast as possible). Null when started, else why not.</summary>
    string? Start(int count, int perSecond);
}

namespace Appliance.Core.State;

/// <summary>
/// In-flight requests/connections per backend. Each node writes only its own gauge; reads return
/// the cluster-wide sum once replication is configured, this node's count otherwise.
/// Backend keys are <c>{cluster}/{destination}</c> for HTTP and <c>tcp/{pool}/{backend}</c> for TCP.
/// </summary>
public interface IConnectionCounts
{
    /// <summary>The count least-connections should see.</summary>
    long Get(string backendKey);

    /// <summary>This node's own gauge only.</summary>
    long GetLocal(string backendKey);

    /// <summary>Moves this node's gauge by <paramref name="delta"/> (+1 on start, -1 on end).</summary>
    void Add(string backendKey, long delta);
}

using Appliance.Management.Contracts;

namespace Appliance.Management.Sources;

/// <summary>The node's identity, readiness and configuration revision, for <c>GET /api/v1/status</c>.</summary>
public interface INodeStatusSource
{
    /// <summary>The status now.</summary>
    NodeStatus Current();
}

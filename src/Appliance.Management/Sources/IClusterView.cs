using Appliance.Management.Contracts;

namespace Appliance.Management.Sources;

/// <summary>Cluster membership as this node sees it. Until membership exists, <see cref="NotConfiguredCluster"/> answers.</summary>
public interface IClusterView
{
    /// <summary>The members now, or "not configured".</summary>
    MembersResponse Members();
}

/// <summary>Virtual IPs and who holds them. Until VIPs exist, <see cref="NotConfiguredVips"/> answers.</summary>
public interface IVipView
{
    /// <summary>The VIPs now, or "not configured".</summary>
    VipsResponse List();
}

/// <summary>The single-node answer: no members, and a message saying so.</summary>
public sealed class NotConfiguredCluster : IClusterView
{
    /// <summary>What the API says while there is no cluster.</summary>
    public const string Message = "cluster not configured: this node runs alone (cluster membership is not part of this build yet).";

    /// <inheritdoc />
    public MembersResponse Members() => new(false, Message, []);
}

/// <summary>The answer while the node has no VIPs: an empty list, and a message saying so.</summary>
public sealed class NotConfiguredVips : IVipView
{
    /// <summary>What the API says while there are no VIPs.</summary>
    public const string Message = "VIPs not configured: this node holds no virtual IPs (VIP management is not part of this build yet).";

    /// <inheritdoc />
    public VipsResponse List() => new(false, Message, []);
}

using Appliance.Management.Contracts;

namespace Appliance.Management.Sources;

/// <summary>Cluster membership as this node sees it. Until membership exists, <see cref="NotConfiguredCluster"/> answers.</summary>
public interface IClusterView
{
    /// <summary>The members now, or "not configured".</summary>
    MembersResponse Members();

    /// <summary>
    /// Asks this node to leave the cluster gracefully (it hands over, then its membership stops;
    /// the process keeps serving until it is stopped). Null when accepted, else why not.
    /// </summary>
    string? RequestLeave();
}

/// <summary>Virtual IPs and who holds them. Until VIPs exist, <see cref="NotConfiguredVips"/> answers.</summary>
public interface IVipView
{
    /// <summary>The VIPs now, or "not configured".</summary>
    VipsResponse List();

    /// <summary>
    /// <c>vip move</c>: this node, which must hold <paramref name="vip"/>, gives it up to
    /// <paramref name="to"/> (null: the best-ranked other node). Null when accepted, else why not.
    /// </summary>
    VipMoveRefusal? Move(string vip, string? to);
}

/// <summary>Why a move was refused; <paramref name="UnknownVip"/> when the VIP does not exist here.</summary>
public sealed record VipMoveRefusal(bool UnknownVip, string Message);

/// <summary>The single-node answer: no members, and a message saying so.</summary>
public sealed class NotConfiguredCluster : IClusterView
{
    /// <summary>What the API says while there is no cluster.</summary>
    public const string Message = "cluster not configured: this node runs alone. Add a Cluster section to its configuration to join it to other nodes.";

    /// <summary>Why a lone node cannot leave.</summary>
    public const string LeaveMessage = "this node runs alone (no Cluster section), so there is no cluster to leave. To take it out of service, stop it (systemctl stop appliance).";

    /// <inheritdoc />
    public MembersResponse Members() => new(false, Message, []);

    /// <inheritdoc />
    public string? RequestLeave() => LeaveMessage;
}

/// <summary>The answer while the node has no VIPs: an empty list, and a message saying so.</summary>
public sealed class NotConfiguredVips : IVipView
{
    /// <summary>What the API says while there are no VIPs.</summary>
    public const string Message = "VIPs not configured: this node holds no virtual IPs. Add a Vips section to its configuration (see docs/vips.md) to give it some.";

    /// <inheritdoc />
    public VipsResponse List() => new(false, Message, []);

    /// <inheritdoc />
    public VipMoveRefusal? Move(string vip, string? to) => new(true, Message);
}

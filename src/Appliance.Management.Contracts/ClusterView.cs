namespace Appliance.Management.Contracts;

/// <summary>
/// <c>GET /api/v1/cluster/members</c>. While the node runs alone, <paramref name="Configured"/> is
/// false, <paramref name="Members"/> is empty and <paramref name="Message"/> says why.
/// </summary>
public sealed record MembersResponse(bool Configured, string? Message, IReadOnlyList<MemberInfo> Members);

/// <summary>One cluster member as this node sees it.</summary>
/// <param name="Name">The member's node name.</param>
/// <param name="Address">Its cluster transport address.</param>
/// <param name="State">Its membership state (e.g. "up", "unreachable", "down", "leaving").</param>
/// <param name="Self">True for the node answering.</param>
public sealed record MemberInfo(string Name, string Address, string State, bool Self);

/// <summary>
/// <c>GET /api/v1/vips</c>. While no VIPs exist, <paramref name="Configured"/> is false,
/// <paramref name="Vips"/> is empty and <paramref name="Message"/> says why.
/// </summary>
public sealed record VipsResponse(bool Configured, string? Message, IReadOnlyList<VipInfo> Vips);

/// <summary>One virtual IP and who holds it.</summary>
/// <param name="Address">The VIP, e.g. "198.18.0.10/24".</param>
/// <param name="Owner">The node holding it now, or null when nobody does.</param>
/// <param name="State">This node's state for it (e.g. "master", "backup").</param>
/// <param name="Priorities">Each node's current priority for it.</param>
/// <param name="LastTransition">When its owner last changed.</param>
/// <param name="Reason">Why it last changed.</param>
public sealed record VipInfo(
    string Address,
    string? Owner,
    string State,
    IReadOnlyDictionary<string, int> Priorities,
    DateTimeOffset? LastTransition,
    string? Reason);

/// <summary><c>POST /api/v1/vips/{vip}/move</c>: hand the VIP to <paramref name="Node"/>, or to the best-ranked other node when null.</summary>
public sealed record VipMoveRequest(string? Node);

/// <summary>The answer to an accepted move: the holder releases it now; the peer takes it on its next tick.</summary>
/// <param name="Vip">The VIP moved.</param>
/// <param name="To">The node asked to take it, or null for the best-ranked other node.</param>
/// <param name="Message">What happens next, in words.</param>
public sealed record VipMoveResult(string Vip, string? To, string Message);

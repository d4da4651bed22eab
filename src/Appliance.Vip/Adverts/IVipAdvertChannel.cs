namespace Appliance.Vip.Adverts;

/// <summary>The sender's stand on one VIP, as its advert carries it.</summary>
/// <param name="Vip">The VIP's name (its address text).</param>
/// <param name="Held">The sender holds it now.</param>
/// <param name="Penalty">Priority lost to failed tracking; 1000 (or more than the priority) is fault.</param>
/// <param name="Releasing">The sender gives it up (graceful stop, vip move): it ranks last.</param>
/// <param name="YieldTo">With <paramref name="Releasing"/>, the node to hand it to; null for the best-ranked.</param>
internal sealed record VipClaim(string Vip, bool Held, int Penalty, bool Releasing, string? YieldTo);

/// <summary>The latest advert heard from one member, and when it arrived.</summary>
/// <param name="Silent">Nothing heard from it for longer than the master-down interval: presumed dead.</param>
internal sealed record HeardAdvert(IReadOnlyList<VipClaim> Vips, DateTimeOffset At, bool Silent = false);

/// <summary>How this node's VIP stand reaches its peers and theirs reaches it.</summary>
internal interface IVipAdvertChannel
{
    /// <summary>The latest advert of each member that sent one, by member name.</summary>
    IReadOnlyDictionary<string, HeardAdvert> Peers { get; }

    /// <summary>Sets this node's stand (one entry per VIP, sorted by name); it goes out at once when it changed.</summary>
    void Publish(IReadOnlyList<VipClaim> vips);
}

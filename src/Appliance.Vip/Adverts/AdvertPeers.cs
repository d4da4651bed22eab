using System.Net;
using Appliance.Core.Configuration;
using Appliance.Core.Membership;

namespace Appliance.Vip.Adverts;

/// <summary>Where this node's adverts go: the configured peers, else every other member of the cluster view (its host, the advert port).</summary>
internal static class AdvertPeers
{
    /// <summary>
    /// Members in any status but Down or Removed, reachable or not: a node across a partition must
    /// still hear us, since its claims meeting ours is how a split brain heals.
    /// </summary>
    public static IReadOnlyList<IPEndPoint> From(ClusterView? view, VipAdvertsOptions options)
    {
        if (options.Peers.Count > 0)
        {
            return options.Peers.Select(p => IPEndPoint.Parse(p) is { Port: 0 } e ? new IPEndPoint(e.Address, options.Port) : IPEndPoint.Parse(p)).ToList();
        }

        if (view is null)
        {
            return [];
        }

        var list = new List<IPEndPoint>(view.Members.Count);
        foreach (var m in view.Members)
        {
            if (!m.IsSelf && m.Status is not (MemberStatus.Down or MemberStatus.Removed) && Host(m.Address) is { } host)
            {
                list.Add(new IPEndPoint(host, options.Port));
            }
        }

        return list;
    }

    /// <summary>The member named <paramref name="name"/>'s advert endpoint, when it is in the view.</summary>
    public static IPEndPoint? Of(ClusterView? view, string name, VipAdvertsOptions options) =>
        view?.Members.FirstOrDefault(m => m.Name == name && m.Status is not (MemberStatus.Down or MemberStatus.Removed)) is { } m && Host(m.Address) is { } host
            ? new IPEndPoint(host, options.Port)
            : null;

    /// <summary>The IP of a member address ("198.18.0.11:7946", "[2001:db8::1]:7946").</summary>
    private static IPAddress? Host(string address) =>
        IPEndPoint.TryParse(address, out var e) ? e.Address
            : IPAddress.TryParse(address, out var a) ? a
            : null;
}

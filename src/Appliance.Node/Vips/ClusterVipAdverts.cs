using Appliance.Cluster.Hosting;
using Appliance.Cluster.Messages;
using Appliance.Core.Membership;
using Appliance.Vip.Adverts;

namespace Appliance.Node.Vips;

/// <summary>
/// The VIP room's advert channel over the cluster's own VipAdvertExchange: adverts by member name,
/// each only while its sender incarnation is the member's current one.
/// </summary>
internal sealed class ClusterVipAdverts(VipAdvertExchange exchange, IClusterMembership membership) : IVipAdvertChannel
{
    public IReadOnlyDictionary<string, HeardAdvert> Peers
    {
        get
        {
            var peers = exchange.Peers;
            var byName = new Dictionary<string, HeardAdvert>(StringComparer.Ordinal);
            foreach (var m in membership.Current.Members)
            {
                if (peers.TryGetValue(m.Uid, out var advert))
                {
                    byName[m.Name] = new HeardAdvert(advert.Vips.Select(v => new VipClaim(v.Vip, v.Held, v.Penalty, v.Releasing, v.YieldTo)).ToList(), advert.At);
                }
            }

            return byName;
        }
    }

    public void Publish(IReadOnlyList<VipClaim> vips) =>
        exchange.Publish(vips.Select(v => new VipState(v.Vip, v.Held, v.Penalty, v.Releasing, v.YieldTo)).ToList());
}

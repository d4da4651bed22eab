using Appliance.Cluster.Messages;
using P = Appliance.Cluster.Wire.Proto;

namespace Appliance.Cluster.Wire;

/// <summary>VIP adverts; the sender lists its VIPs sorted by name, so the encoding is canonical.</summary>
internal static partial class WireEncoder
{
    private static P.VipAdvert Advert(VipAdvert advert)
    {
        var result = new P.VipAdvert { From = Id(advert.From), Sequence = advert.Sequence };
        foreach (var v in advert.Vips)
        {
            result.Vips.Add(new P.VipState
            {
                Vip = v.Vip,
                Held = v.Held,
                Penalty = (uint)v.Penalty,
                Releasing = v.Releasing,
                YieldTo = v.YieldTo ?? "",
            });
        }

        return result;
    }
}

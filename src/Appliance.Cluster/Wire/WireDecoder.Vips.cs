using Appliance.Cluster.Messages;
using P = Appliance.Cluster.Wire.Proto;

namespace Appliance.Cluster.Wire;

/// <summary>VIP adverts: at most <see cref="WireLimits.MaxVips"/> VIPs, each once, names and penalties bounded.</summary>
internal sealed partial class WireDecoder
{
    private VipAdvert? VipAdvert(P.VipAdvert m)
    {
        if (Id(m.From, "vip_advert.from") is not { } from
            || !Counter(m.Sequence, "vip_advert.sequence")
            || !Count(m.Vips.Count, WireLimits.MaxVips, "vip_advert.vips"))
        {
            return null;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var vips = new List<VipState>(m.Vips.Count);
        for (var i = 0; i < m.Vips.Count; i++)
        {
            var v = m.Vips[i];
            var at = $"vip_advert.vips[{i}]";
            if (v.Vip.Length is 0 or > WireLimits.MaxVipNameLength)
            {
                return Fail<VipAdvert>(at + ".vip", $"must be 1..{WireLimits.MaxVipNameLength} characters (got {v.Vip.Length})");
            }

            if (TextProblem(v.Vip) is { } problem)
            {
                return Fail<VipAdvert>(at + ".vip", problem);
            }

            if (!seen.Add(v.Vip))
            {
                return Fail<VipAdvert>(at + ".vip", "repeats an earlier VIP");
            }

            if (v.Penalty > WireLimits.MaxVipPenalty)
            {
                return Fail<VipAdvert>(at + ".penalty", $"must be 0..{WireLimits.MaxVipPenalty} (got {v.Penalty})");
            }

            if (!Name(v.YieldTo, at + ".yield_to"))
            {
                return null;
            }

            if (v.YieldTo.Length > 0 && !v.Releasing)
            {
                return Fail<VipAdvert>(at + ".yield_to", "is set but the VIP is not being released");
            }

            vips.Add(new VipState(v.Vip, v.Held, (int)v.Penalty, v.Releasing, v.YieldTo.Length == 0 ? null : v.YieldTo));
        }

        return new VipAdvert(from, m.Sequence, vips);
    }
}

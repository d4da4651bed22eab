using Appliance.Core.Configuration;
using Appliance.Vip.Ownership;

namespace Appliance.Vip;

/// <summary>Turns the validated <c>Vips</c> section into what the machine and schedules take.</summary>
internal static class VipDefinitions
{
    /// <summary>One definition per VIP, named by its address text.</summary>
    public static IReadOnlyList<VipDefinition> From(IReadOnlyList<VipOptions> vips) =>
        vips.Select(v => new VipDefinition(v.Address, v.Address, v.Interface,
            new Dictionary<string, int>(v.Priorities, StringComparer.Ordinal), v.Preempt, v.PreemptDelay)).ToList();

    /// <summary>The burst settings per VIP name.</summary>
    public static IReadOnlyDictionary<string, AnnounceSettings> Announce(IReadOnlyList<VipOptions> vips) =>
        vips.ToDictionary(v => v.Address, v => new AnnounceSettings(v.Garp.Count, v.Garp.Interval, v.Garp.SecondBurstDelay, v.Garp.MinSpacing), StringComparer.Ordinal);
}

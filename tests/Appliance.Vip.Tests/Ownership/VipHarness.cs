using Appliance.Vip.Ownership;

namespace Appliance.Tests.Ownership;

/// <summary>Runs the ownership machine for one node with explicit times.</summary>
internal sealed class VipHarness(string self, params VipDefinition[] vips)
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public IReadOnlyDictionary<string, VipSlot> Slots { get; private set; } = new Dictionary<string, VipSlot>();

    public IReadOnlyList<VipAction> Tick(double seconds, params VipMember[] members)
    {
        var (slots, actions) = VipOwnershipMachine.Step(vips, Slots, new VipInput(self, members, T0.AddSeconds(seconds)));
        Slots = slots;
        return actions;
    }

    public VipSlot this[string vip] => Slots[vip];

    public static VipDefinition Def(string name = "v", bool preempt = true, double delaySeconds = 0, params (string Node, int Priority)[] priorities) =>
        new(name, "198.18.0.10/24", "eth0", priorities.ToDictionary(p => p.Node, p => p.Priority), preempt, TimeSpan.FromSeconds(delaySeconds));

    public static VipMember M(string name, bool releasing = false, int penalty = 0, params string[] claims) =>
        new(name, penalty == 0 ? null : new Dictionary<string, int> { ["v"] = penalty }, releasing, claims.ToHashSet());

    public static VipActionKind[] Kinds(IReadOnlyList<VipAction> actions) => actions.Select(a => a.Kind).ToArray();
}

using Appliance.Tests.Support;
using Appliance.Tests.Support.Netns;

namespace Appliance.Tests.ClusterFaults;

/// <summary>
/// A cluster fault test: needs network namespaces (root, iproute2), skipped with that reason
/// otherwise; a long one (<paramref name="what"/> given) also needs <c>APPLIANCE_FAULTS=1</c>, as
/// <see cref="FaultFactAttribute"/>, and is skipped saying so otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ClusterFaultFactAttribute : FactAttribute
{
    public ClusterFaultFactAttribute(string? what = null)
    {
        Skip = NetnsTopology.Unavailable ?? (what is not null && !FaultFactAttribute.Enabled
            ? $"long fault test ({what}): run bash scripts/faults.sh, or set {FaultFactAttribute.Variable}=1"
            : null);
    }
}

namespace Appliance.Tests.Support;

/// <summary>
/// A long fault test (tens of seconds to minutes, or heavy on the machine): skipped, with the reason
/// shown, unless <c>APPLIANCE_FAULTS=1</c>, which <c>bash scripts/faults.sh</c> sets. With
/// <see cref="MinimumDescriptors"/>, also skipped (saying why) when this process may never hold that
/// many open files: its hard limit is lower and it may not raise it (that needs CAP_SYS_RESOURCE).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FaultFactAttribute : FactAttribute
{
    public const string Variable = "APPLIANCE_FAULTS";

    private readonly string _what;
    private long _descriptors;

    public FaultFactAttribute(string what)
    {
        _what = what;
        Skip = Enabled ? null : $"long fault test ({what}): run bash scripts/faults.sh, or set {Variable}=1";
    }

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Open files the test needs at least, in this process.</summary>
    public long MinimumDescriptors
    {
        get => _descriptors;
        set
        {
            _descriptors = value;
            if (Enabled && ProcessReadings.DescriptorLimit().Hard < value && ProcessReadings.TryRaiseDescriptorLimit(value) is { } why)
            {
                Skip = $"{_what}: {why}";
            }
        }
    }
}

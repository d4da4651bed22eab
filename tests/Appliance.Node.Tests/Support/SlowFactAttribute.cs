namespace Appliance.Tests.Support;

/// <summary>
/// A test too long for every run (large transfers): skipped, with the reason shown, unless
/// <c>APPLIANCE_SLOW_TESTS=1</c> is set, e.g. <c>APPLIANCE_SLOW_TESTS=1 bash scripts/test.sh --filter Category=Slow</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SlowFactAttribute : FactAttribute
{
    public const string Variable = "APPLIANCE_SLOW_TESTS";

    public SlowFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"slow test (1 GiB through the proxy): set {Variable}=1 to run it";
        }
    }
}

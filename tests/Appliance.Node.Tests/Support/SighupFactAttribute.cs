using Appliance.Node.Hosting;

namespace Appliance.Tests.Support;

/// <summary>
/// A test that sends SIGHUP to a child applianced: skipped, with the reason shown, when this test
/// process ignores SIGHUP (started under nohup), because the child inherits that and .NET keeps it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SighupFactAttribute : FactAttribute
{
    public SighupFactAttribute()
    {
        if (SignalDisposition.IsIgnoredHere(SignalDisposition.SigHup))
        {
            Skip = "the test runner ignores SIGHUP (started under nohup?), so applianced started from it would too; run the tests without nohup";
        }
    }
}

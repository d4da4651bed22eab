using Appliance.Node.Hosting;

namespace Appliance.Tests.Support;

/// <summary>
/// A test that sends a signal (SIGHUP, SIGINT) to a child applianced: skipped, with the reason
/// shown, when this test process ignores that signal (started under nohup, or as a background job
/// of a shell without job control), because the child inherits the ignore and .NET keeps it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SignalFactAttribute : FactAttribute
{
    public SignalFactAttribute(int signal)
    {
        if (SignalDisposition.IsIgnoredHere(signal))
        {
            Skip = $"the test runner ignores signal {signal} (started under nohup, or as a background job without job control), so applianced started from it would too; run the tests in the foreground";
        }
    }
}

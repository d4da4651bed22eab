namespace Appliance.Tests.Support;

/// <summary>
/// A fact about the TCP event loop engine: skipped with the reason where the node would use the
/// .NET socket engine instead (not Linux, or APPLIANCE_TCP_ENGINE=sockets in the environment).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LoopEngineFactAttribute : FactAttribute
{
    public LoopEngineFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux: the TCP event loop runs on epoll";
        }
        else if (string.Equals(Environment.GetEnvironmentVariable("APPLIANCE_TCP_ENGINE"), "sockets", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "APPLIANCE_TCP_ENGINE=sockets: this run tests the .NET socket engine";
        }
    }
}

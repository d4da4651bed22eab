namespace Appliance.Tests.Support;

/// <summary>A fact that needs Linux (epoll, eventfd); elsewhere it is skipped with the reason.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux: the TCP event loop runs on epoll";
        }
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Management.Logging;

/// <summary>
/// The node's logger factory as the admin host sees it: the same sinks and filters, minus the
/// generic host's own start/stop lines, which the node's host already logs (a failure to bind the
/// admin address would otherwise be reported twice).
/// </summary>
internal sealed class AdminLoggerFactory(ILoggerFactory node) : ILoggerFactory
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public ILogger CreateLogger(string categoryName) =>
        categoryName == HostCategory ? NullLogger.Instance : node.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => node.AddProvider(provider);

    public void Dispose()
    {
        // The node owns the factory.
    }
}

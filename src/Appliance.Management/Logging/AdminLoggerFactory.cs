using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Management.Logging;

/// <summary>
/// The node's logger factory as the admin host sees it: the same sinks and filters, minus the
/// generic host's own start/stop lines, which the node's host already logs (a failure to bind the
/// admin address would otherwise be reported twice), and minus ASP.NET's request lines ("Request
/// starting GET http://...?..."): they carry whole URLs, and a caller who put the token in a query
/// string would see it in the log once logging is turned up. Admin requests are logged by
/// <see cref="AdminLog"/> instead, with the caller and never what it sent.
/// </summary>
internal sealed class AdminLoggerFactory(ILoggerFactory node) : ILoggerFactory
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private const string RequestLinesCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public ILogger CreateLogger(string categoryName) =>
        categoryName is HostCategory or RequestLinesCategory ? NullLogger.Instance : node.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => node.AddProvider(provider);

    public void Dispose()
    {
        // The node owns the factory.
    }
}

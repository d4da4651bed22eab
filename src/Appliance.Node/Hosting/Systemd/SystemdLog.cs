using Microsoft.Extensions.Logging;

namespace Appliance.Node.Hosting.Systemd;

/// <summary>Log lines of the systemd integration. Event ids 6100-6109.</summary>
internal static partial class SystemdLog
{
    [LoggerMessage(6100, LogLevel.Information, "Readiness reported to systemd (READY=1)")]
    public static partial void ReadySent(ILogger logger);

    [LoggerMessage(6101, LogLevel.Warning, "Cannot notify systemd through {Address}: {Reason}. The node keeps running; systemd may report its start or reload as timed out")]
    public static partial void SendFailed(ILogger logger, string address, string reason);

    [LoggerMessage(6102, LogLevel.Warning, "Not notifying systemd: {Reason}")]
    public static partial void UnsupportedAddress(ILogger logger, string reason);
}

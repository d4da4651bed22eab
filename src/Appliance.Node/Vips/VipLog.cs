using Microsoft.Extensions.Logging;

namespace Appliance.Node.Vips;

internal static partial class VipLog
{
    [LoggerMessage(6000, LogLevel.Warning, "VIPs disabled: {Reason}. This node serves without virtual IPs")]
    public static partial void Disabled(ILogger logger, string reason);

    [LoggerMessage(6001, LogLevel.Information, "VIPs: removed {Count} stale address(es) left by an earlier run: {Addresses}")]
    public static partial void RemovedStale(ILogger logger, int count, string addresses);

    [LoggerMessage(6002, LogLevel.Information, "{Event}")]
    public static partial void Transition(ILogger logger, string @event);

    [LoggerMessage(6003, LogLevel.Error, "VIP tick failed; retrying on the next tick")]
    public static partial void TickFailed(ILogger logger, Exception exception);

    [LoggerMessage(6004, LogLevel.Information, "VIPs: managing {Count} VIP(s) as {Node}")]
    public static partial void Started(ILogger logger, int count, string node);
}

using Microsoft.Extensions.Logging;

namespace Appliance.Vip.Hosting;

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

    [LoggerMessage(6005, LogLevel.Warning, "VIPs: {Member} is Up but sent no VIP advert within {GraceMs} ms; it is not counted as a VIP candidate (are VIPs disabled there?)")]
    public static partial void SilentMember(ILogger logger, string member, double graceMs);

    [LoggerMessage(6008, LogLevel.Warning, "VIPs: {Member} stopped sending VIP adverts (silent past the master-down interval): presumed dead, it holds no VIP in this node's eyes")]
    public static partial void QuietMember(ILogger logger, string member);

    [LoggerMessage(6006, LogLevel.Information, "VIPs: stopping; handing the VIPs this node holds over to the peers")]
    public static partial void HandingOver(ILogger logger);

    [LoggerMessage(6007, LogLevel.Warning, "VIPs: {Vip} moved away by the operator ({Target})")]
    public static partial void Moved(ILogger logger, string vip, string target);
}

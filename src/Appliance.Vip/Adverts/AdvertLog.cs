using Microsoft.Extensions.Logging;

namespace Appliance.Vip.Adverts;

internal static partial class AdvertLog
{
    [LoggerMessage(6100, LogLevel.Warning, "VIP adverts: dropped a frame from {From}: {Reason} {Detail} (logged once per reason every 10 s; counted in appliance_vip_adverts_rejected_total)")]
    public static partial void Rejected(ILogger logger, string from, string reason, string detail);

    [LoggerMessage(6101, LogLevel.Warning, "VIP adverts: sending to {To} failed ({Error}); the next interval tries again")]
    public static partial void SendFailed(ILogger logger, string to, string error);

    [LoggerMessage(6102, LogLevel.Error, "VIP adverts: this node's stand cannot be encoded: {Reason}")]
    public static partial void CannotEncode(ILogger logger, string reason);

    [LoggerMessage(6103, LogLevel.Information, "VIP adverts: listening on udp {Local}, every {IntervalMs} ms to {Target}; a peer silent {SilenceMs} ms is presumed dead")]
    public static partial void Listening(ILogger logger, string local, double intervalMs, string target, double silenceMs);

    [LoggerMessage(6104, LogLevel.Error, "VIP adverts: the {Loop} thread caught {Error}; it goes on (logged once every 10 s)")]
    public static partial void LoopFailed(ILogger logger, string loop, string error);
}

using Microsoft.Extensions.Logging;

namespace Appliance.Management.Logging;

/// <summary>The admin listener's log lines. Event ids 100-199 belong to management and are never reused.</summary>
internal static partial class AdminLog
{
    /// <summary>One category for every admin line, so operators can filter on it.</summary>
    public const string Category = "Appliance.Management";

    [LoggerMessage(100, LogLevel.Information, "Admin API, /metrics and dashboard listening on {Address} (token for remote callers: {TokenMode})")]
    public static partial void Listening(ILogger logger, string address, string tokenMode);

    [LoggerMessage(101, LogLevel.Information, "Admin action by {Caller}: {Action} {Target}: {Outcome}")]
    public static partial void Action(ILogger logger, string caller, string action, string target, string outcome);

    [LoggerMessage(102, LogLevel.Warning, "Admin request from {Caller} refused ({Status} {Reason}): {Method} {Path}")]
    public static partial void Refused(ILogger logger, string caller, int status, string reason, string method, string path);
}

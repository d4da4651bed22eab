using Microsoft.Extensions.Logging;

namespace Appliance.Node.Hosting;

/// <summary>The daemon's own log lines. Event ids are never reused.</summary>
internal static partial class NodeLog
{
    [LoggerMessage(1, LogLevel.Information, "Node {Node} serving {Listeners} listener(s), {Routes} route(s), {Clusters} cluster(s) from {Path}")]
    public static partial void Started(ILogger logger, string node, int listeners, int routes, int clusters, string path);

    [LoggerMessage(2, LogLevel.Information, "Configuration reloaded from {Path} ({Trigger}): revision {Revision}")]
    public static partial void Reloaded(ILogger logger, string path, string trigger, long revision);

    [LoggerMessage(3, LogLevel.Error, "Configuration reload from {Path} ({Trigger}) refused, the last good configuration keeps serving. {Count} problem(s):\n{Problems}")]
    public static partial void ReloadRefused(ILogger logger, string path, string trigger, int count, string problems);

    [LoggerMessage(7, LogLevel.Warning, "{Path}: {Key}: {Message}")]
    public static partial void ConfigWarning(ILogger logger, string path, string key, string message);

    [LoggerMessage(4, LogLevel.Warning, "Listener changes in {Path} need a restart to take effect; the running listeners are unchanged")]
    public static partial void ListenersNeedRestart(ILogger logger, string path);

    [LoggerMessage(5, LogLevel.Error, "Configuration reload from {Path} failed unexpectedly")]
    public static partial void ReloadFailed(ILogger logger, Exception error, string path);

    [LoggerMessage(6, LogLevel.Warning, "SIGHUP is ignored by this process (it was started with SIGHUP ignored, as nohup does), so SIGHUP will not reload {Path}; changing the file or the admin API's config reload still do. Start applianced without nohup (systemd, or setsid) to get SIGHUP reloads")]
    public static partial void SighupIgnored(ILogger logger, string path);
}

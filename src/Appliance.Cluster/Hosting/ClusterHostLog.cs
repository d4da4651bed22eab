using Microsoft.Extensions.Logging;

namespace Appliance.Cluster.Hosting;

/// <summary>Log lines of <see cref="ClusterHost"/>; each membership change is logged once. Event ids are never reused.</summary>
internal static partial class ClusterHostLog
{
    [LoggerMessage(120, LogLevel.Information, "Cluster: starting incarnation {Incarnation} of {Settings}")]
    public static partial void Starting(ILogger logger, int incarnation, string settings);

    [LoggerMessage(121, LogLevel.Information, "Cluster: this node joined as {Address}; members: {Members}")]
    public static partial void Joined(ILogger logger, string address, string members);

    [LoggerMessage(122, LogLevel.Information, "Cluster: member {Name} ({Address}) is now {Status}")]
    public static partial void MemberStatus(ILogger logger, string name, string address, string status);

    [LoggerMessage(123, LogLevel.Warning, "Cluster: member {Name} ({Address}) is unreachable")]
    public static partial void Unreachable(ILogger logger, string name, string address);

    [LoggerMessage(124, LogLevel.Information, "Cluster: member {Name} ({Address}) is reachable again")]
    public static partial void ReachableAgain(ILogger logger, string name, string address);

    [LoggerMessage(125, LogLevel.Information, "Cluster: member {Name} ({Address}) was removed")]
    public static partial void Removed(ILogger logger, string name, string address);

    [LoggerMessage(126, LogLevel.Warning, "Cluster: incarnation {Incarnation} ended while the node serves ({Reason}); the node keeps serving and starts a fresh one in {DelayMs} ms")]
    public static partial void Lost(ILogger logger, int incarnation, string reason, long delayMs);

    [LoggerMessage(127, LogLevel.Error, "Cluster: incarnation {Incarnation} could not start; the node keeps serving and tries again in {DelayMs} ms")]
    public static partial void StartFailed(ILogger logger, Exception error, int incarnation, long delayMs);

    [LoggerMessage(128, LogLevel.Information, "Cluster: this node left the cluster")]
    public static partial void Left(ILogger logger);

    [LoggerMessage(129, LogLevel.Information, "Cluster: no other seed answered in {Ms} ms; this seed forms the cluster (the others join it when they come)")]
    public static partial void FormingAlone(ILogger logger, long ms);
}

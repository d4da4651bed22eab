using Microsoft.Extensions.Logging;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Hosting;

/// <summary>Membership log lines; each state change is logged once. Event ids are never reused.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(100, LogLevel.Information, "Cluster: this node {Self} is listening on {Bind}, seeds {Seeds}")]
    public static partial void Starting(ILogger logger, string self, string bind, string seeds);

    [LoggerMessage(101, LogLevel.Information, "Cluster: this node joined; members: {Members}")]
    public static partial void Joined(ILogger logger, string members);

    [LoggerMessage(102, LogLevel.Information, "Cluster: member {Name} ({Address}) is now {Status}")]
    public static partial void MemberStatus(ILogger logger, string name, string address, string status);

    [LoggerMessage(103, LogLevel.Warning, "Cluster: member {Name} ({Address}) is unreachable (phi {Phi:F1})")]
    public static partial void Unreachable(ILogger logger, string name, string address, double phi);

    [LoggerMessage(104, LogLevel.Information, "Cluster: member {Name} ({Address}) is reachable again")]
    public static partial void ReachableAgain(ILogger logger, string name, string address);

    [LoggerMessage(105, LogLevel.Information, "Cluster: member {Name} ({Address}) was removed")]
    public static partial void Removed(ILogger logger, string name, string address);

    [LoggerMessage(106, LogLevel.Warning, "Cluster: this node was downed or lost a partition merge; rejoining as a new incarnation ({Incarnation})")]
    public static partial void Rejoining(ILogger logger, int incarnation);

    [LoggerMessage(107, LogLevel.Information, "Cluster: this node left the cluster")]
    public static partial void Left(ILogger logger);

    [LoggerMessage(108, LogLevel.Information, "Cluster traffic: {Frames} frames and {Bytes} bytes sent, {FramesIn} frames and {BytesIn} bytes received in {Seconds:F1} s; {Rejected} frames rejected")]
    public static partial void Traffic(ILogger logger, long frames, long bytes, long framesIn, long bytesIn, double seconds, long rejected);

    [LoggerMessage(109, LogLevel.Error, "Cluster: the membership loop failed; membership stops but the node keeps serving")]
    public static partial void LoopFailed(ILogger logger, Exception error);

    [LoggerMessage(110, LogLevel.Information, "Cluster: ignored a {Kind} from {Sender}: {Reason}. {Suppressed} more from there since the last report")]
    public static partial void StaleMessage(ILogger logger, string kind, string sender, string reason, int suppressed);
}

using Microsoft.Extensions.Logging;

namespace Appliance.Cluster.Security;

internal static partial class SecurityLog
{
    [LoggerMessage(130, LogLevel.Warning, "Cluster: refused a TLS handshake with {Peer}: {Reason} (not a node of this cluster, or one holding another cluster key); {Suppressed} more from there since the last report")]
    public static partial void Refused(ILogger logger, string peer, string reason, int suppressed);
}

using System.Security.Authentication;
using System.Text.RegularExpressions;
using Akka.Event;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Microsoft.Extensions.Logging;

namespace Appliance.Cluster.Security;

/// <summary>
/// Recognises, in Akka.Remote's log events, a peer that does not speak this release's cluster
/// protocol at all: a node of an earlier release (its cluster port speaks length-prefixed,
/// HMAC-signed frames, not TLS) or something else that is not a cluster member. Two cases:
/// <list type="bullet">
/// <item>inbound: the bytes at this node's TLS listener are no TLS record (DotNetty's
/// <c>NotSslRecordException</c>);</item>
/// <item>outbound: the peer closed (or reset) the connection during the TLS handshake this node
/// began, before this node judged any certificate (an old node drops a ClientHello as a bad frame;
/// a node with another key that refuses this node's certificate looks the same from here). In
/// Akka 1.5.75 this also ends the dialing ActorSystem (exit code 79), which
/// <see cref="Hosting.ClusterHost"/> replaces with a fresh incarnation.</item>
/// </list>
/// Each case is counted and reported in one clear line, at most once per peer every
/// <see cref="LogEvery"/>; Akka's own lines for a recognised event drop to Debug. A peer whose
/// certificate is judged and refused is <see cref="PeerAuthenticator"/>'s business, not this one's.
/// </summary>
public sealed partial class ForeignPeerDetector
{
    public static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger;
    private readonly PeerLogThrottle _throttle;
    private long _noTls;
    private long _peerClosed;

    public ForeignPeerDetector(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _throttle = new PeerLogThrottle(LogEvery, time);
    }

    /// <summary>Inbound connections whose first bytes were no TLS record.</summary>
    public long NoTls => Interlocked.Read(ref _noTls);

    /// <summary>Outbound TLS handshakes the peer closed before this node judged any certificate.</summary>
    public long PeerClosed => Interlocked.Read(ref _peerClosed);

    // DotNetty names a channel "[local]:port->[remote]:port"; IPv4 peers show as ::ffff:a.b.c.d.
    [GeneratedRegex(@"->\[(?:::ffff:)?(?<host>[^\]]+)\]:(?<port>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex RemoteOfChannel();

    /// <summary>
    /// Looks at one of Akka's log events; true when it is one of the two cases (counted, and
    /// reported if the throttle allows), and also for DotNetty's companion line of an inbound case,
    /// so the caller can write Akka's text at Debug instead of Error.
    /// </summary>
    public bool Observe(LogEvent e)
    {
        if (e is not Error { Cause: { } cause } || e.Message?.ToString() is not { } message)
        {
            return false;
        }

        var source = e.LogClass?.Name ?? "";
        var noTls = HasInChain(cause, c => c.GetType().Name == "NotSslRecordException");
        if (source.Contains("ServerHandler", StringComparison.Ordinal) && noTls)
        {
            // DotNetty writes two errors per such connection ("Error caught channel", "TLS handshake failed"); count one.
            if (message.StartsWith("TLS handshake failed", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _noTls);
                var (host, _) = Remote(message);
                // Inbound peers dial from a fresh port each time: throttled per host.
                if (ShouldLog("in " + host, out var suppressed))
                {
                    ForeignPeerLog.NoTls(_logger, host, suppressed);
                }
            }

            return true;
        }

        if (source.Contains("ClientHandler", StringComparison.Ordinal)
            && message.StartsWith("TLS handshake failed", StringComparison.Ordinal)
            && !HasInChain(cause, c => c is AuthenticationException))
        {
            Interlocked.Increment(ref _peerClosed);
            var (host, port) = Remote(message);
            var peer = port is null ? host : $"{host}:{port}";
            if (ShouldLog("out " + peer, out var suppressed))
            {
                ForeignPeerLog.PeerClosed(_logger, peer, cause.Message, suppressed);
            }

            return true;
        }

        return false;
    }

    private static (string Host, string? Port) Remote(string message) =>
        RemoteOfChannel().Match(message) is { Success: true } m ? (m.Groups["host"].Value, m.Groups["port"].Value) : ("an unknown peer", null);

    private static bool HasInChain(Exception error, Func<Exception, bool> test)
    {
        var e = error;
        for (var depth = 0; e is not null && depth < 8; depth++, e = e.InnerException)
        {
            if (test(e) || (e is AggregateException aggregate && aggregate.InnerExceptions.Any(i => HasInChain(i, test))))
            {
                return true;
            }
        }

        return false;
    }

    private bool ShouldLog(string peer, out int suppressed) => _throttle.ShouldLog(peer, out suppressed);
}

internal static partial class ForeignPeerLog
{
    [LoggerMessage(131, LogLevel.Warning, "Cluster: {Peer} spoke no TLS at the cluster port: probably a node of an earlier release (HMAC-signed frames), or not a member of this cluster (another key file). Nodes of this release do not form a cluster with earlier ones: upgrade both nodes of the pair, with the same key file; {Suppressed} more from there since the last report")]
    public static partial void NoTls(ILogger logger, string peer, int suppressed);

    [LoggerMessage(132, LogLevel.Warning, "Cluster: {Peer} closed the TLS handshake this node began ({Error}): probably a node of an earlier release (HMAC-signed frames), or not a member of this cluster (another key file). Nodes of this release do not form a cluster with earlier ones: upgrade both nodes of the pair, with the same key file; {Suppressed} more to there since the last report")]
    public static partial void PeerClosed(ILogger logger, string peer, string error, int suppressed);
}

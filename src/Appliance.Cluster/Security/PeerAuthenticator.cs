using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.IO;
using Akka.Remote.Transport.DotNetty;
using Microsoft.Extensions.Logging;

namespace Appliance.Cluster.Security;

/// <summary>
/// Decides every TLS handshake of the cluster transport, inbound and outbound alike: a peer is
/// accepted only when its certificate chains to the cluster CA (<see cref="ClusterCertificates"/>).
/// Akka checks host names on the outbound side only, so this callback is the whole check on the
/// inbound side. Refusals are counted and logged at most once per peer every
/// <see cref="LogEvery"/> (a stranger retrying cannot flood the log).
/// </summary>
public sealed class PeerAuthenticator
{
    public static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly ClusterCertificates _certificates;
    private readonly ILogger _logger;
    private readonly PeerLogThrottle _throttle;
    private long _refused;
    private long _accepted;

    public PeerAuthenticator(ClusterCertificates certificates, ILogger logger, TimeProvider time)
    {
        _certificates = certificates;
        _logger = logger;
        _throttle = new PeerLogThrottle(LogEvery, time);
    }

    /// <summary>Handshakes refused since start: peers without this cluster's key.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Handshakes accepted since start.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>
    /// The Akka.Remote TLS setup: this node's certificate (asked for on each connection, so a
    /// renewed one is used by new connections), mutual authentication, no host-name check (nodes
    /// are identified by the CA, not by names), and <see cref="Validate"/> on both sides.
    /// </summary>
    public DotNettySslSetup CreateSetup() => DotNettySslSetup.FromSource(
        TlsCertificateSource.FromCallback(() => _certificates.Current),
        suppressValidation: false,
        requireMutualAuthentication: true,
        validateCertificateHostname: false,
        customValidator: Validate);

    /// <summary>The certificate check; <paramref name="errors"/> (the platform's verdict against the system store) is not used: our CA is not in that store.</summary>
    public bool Validate(X509Certificate2? certificate, X509Chain? chain, string? remotePeer, SslPolicyErrors errors, ILoggingAdapter? log)
    {
        if (_certificates.IsIssuedByCluster(certificate, out var reason))
        {
            Interlocked.Increment(ref _accepted);
            return true;
        }

        Interlocked.Increment(ref _refused);
        var peer = string.IsNullOrEmpty(remotePeer) ? "an unknown peer" : remotePeer;
        if (ShouldLog(peer, out var suppressed))
        {
            SecurityLog.Refused(_logger, peer, reason, suppressed);
        }

        return false;
    }

    private bool ShouldLog(string peer, out int suppressed) => _throttle.ShouldLog(peer, out suppressed);
}

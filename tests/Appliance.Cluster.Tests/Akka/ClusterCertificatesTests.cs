using System.Security.Cryptography.X509Certificates;
using Appliance.Cluster.Security;
using Appliance.Core.Security;

namespace Appliance.Tests.Akka;

public sealed class ClusterCertificatesTests
{
    [Fact]
    public void Create_SameKey_SameAuthorityKeyOnEveryNode()
    {
        var key = ClusterKey.Generate();
        using var a = ClusterCertificates.Create(key, "lb1", TimeProvider.System);
        using var b = ClusterCertificates.Create(key, "lb2", TimeProvider.System);
        Assert.Equal(a.Authority.PublicKey.EncodedKeyValue.RawData, b.Authority.PublicKey.EncodedKeyValue.RawData);
        Assert.True(a.IsIssuedByCluster(b.Current, out var reason), reason);
        Assert.True(b.IsIssuedByCluster(a.Current, out reason), reason);
        Assert.True(a.Current.HasPrivateKey);
    }

    [Fact]
    public void IsIssuedByCluster_OtherKey_RefusedWithAReasonThatHoldsNoKey()
    {
        using var ours = ClusterCertificates.Create(ClusterKey.Generate(), "lb1", TimeProvider.System);
        using var theirs = ClusterCertificates.Create(ClusterKey.Generate(), "lb2", TimeProvider.System);
        Assert.False(ours.IsIssuedByCluster(theirs.Current, out var reason));
        Assert.Contains("not from this cluster's key", reason, StringComparison.Ordinal);
        Assert.False(ours.IsIssuedByCluster(null, out _));
    }

    [Fact]
    public void IsIssuedByCluster_SelfSignedStranger_Refused()
    {
        using var ours = ClusterCertificates.Create(ClusterKey.Generate(), "lb1", TimeProvider.System);
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new CertificateRequest("CN=Appliance cluster CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var stranger = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Assert.False(ours.IsIssuedByCluster(stranger, out _));
    }

    [Fact]
    public void Current_PastHalfLife_RenewedAndTheOldOneExpiresLater()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        using var certificates = ClusterCertificates.Create(ClusterKey.Generate(), "lb1", time);
        var first = certificates.Current;
        time.Advance(ClusterCertificates.LeafLifetime / 2 + TimeSpan.FromMinutes(1));
        var second = certificates.Current;
        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
        Assert.True(certificates.IsIssuedByCluster(second, out var reason), reason);

        time.Advance(ClusterCertificates.LeafLifetime);
        Assert.False(certificates.IsIssuedByCluster(first, out _)); // expired
    }

    [Fact]
    public void Validate_Refusals_CountedAndLoggedOncePerPeerPerPeriod()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        using var ours = ClusterCertificates.Create(ClusterKey.Generate(), "lb1", time);
        using var theirs = ClusterCertificates.Create(ClusterKey.Generate(), "x", time);
        var log = new CountingLogger();
        var authenticator = new PeerAuthenticator(ours, log, time);
        for (var i = 0; i < 50; i++)
        {
            Assert.False(authenticator.Validate(theirs.Current, null, "198.18.0.9:7946", System.Net.Security.SslPolicyErrors.None, null));
        }

        Assert.Equal(50, authenticator.Refused);
        Assert.Equal(1, log.Warnings);
        time.Advance(PeerAuthenticator.LogEvery);
        authenticator.Validate(theirs.Current, null, "198.18.0.9:7946", System.Net.Security.SslPolicyErrors.None, null);
        Assert.Equal(2, log.Warnings);
        Assert.True(authenticator.Validate(ours.Current, null, "198.18.0.10:7946", System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors, null));
        Assert.Equal(1, authenticator.Accepted);
    }
}

internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    private long _ticks;

    public void Advance(TimeSpan by)
    {
        _now += by;
        _ticks += by.Ticks;
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
}

internal sealed class CountingLogger : Microsoft.Extensions.Logging.ILogger
{
    public int Warnings { get; private set; }

    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Lines)
        {
            Lines.Add(formatter(state, exception));
            if (logLevel == Microsoft.Extensions.Logging.LogLevel.Warning)
            {
                Warnings++;
            }
        }
    }
}

using System.Security.Authentication;
using Akka.Event;
using Appliance.Cluster.Security;

namespace Appliance.Tests.Akka;

/// <summary>
/// <see cref="ForeignPeerDetector"/> on log events shaped like DotNetty's in Akka.Remote 1.5.75
/// (the texts and exception types a real node logged when an old node's bytes reached it, and when
/// it dialled a listener that closed the ClientHello).
/// </summary>
public sealed class ForeignPeerDetectorTests
{
    private const string Inbound = "TLS handshake failed on channel [[::ffff:127.0.0.1]:7946->[::ffff:198.18.0.12]:41258](Id=0eb262e0)";
    private const string Outbound = "TLS handshake failed on channel [[::ffff:127.0.0.1]:46466->[::ffff:198.18.0.12]:7946](Id=6cb73c31)";

    private static Error Event(Type source, string message, Exception cause) => new(cause, "akka://appliance", source, message);

    [Fact]
    public void NoTlsAtTheListener_CountedOncePerConnection_OneLinePerHostAndInterval_NamesTheFix()
    {
        var time = new ManualTime();
        var logs = new CollectingLoggers();
        var detector = new ForeignPeerDetector(logs, time);
        for (var i = 0; i < 5; i++)
        {
            // DotNetty writes two errors per connection; both are recognised, one is counted.
            Assert.True(detector.Observe(Event(typeof(TcpServerHandler), "Error caught channel [...]", new NotSslRecordException())));
            Assert.True(detector.Observe(Event(typeof(TcpServerHandler), Inbound.Replace("41258", $"{41258 + i}", StringComparison.Ordinal), new NotSslRecordException())));
        }

        Assert.Equal(5, detector.NoTls);
        var line = Assert.Single(logs.Lines);
        Assert.Contains("198.18.0.12 spoke no TLS at the cluster port", line, StringComparison.Ordinal);
        Assert.Contains("probably a node of an earlier release", line, StringComparison.Ordinal);
        Assert.Contains("upgrade both nodes of the pair, with the same key file", line, StringComparison.Ordinal);

        time.Advance(ForeignPeerDetector.LogEvery);
        detector.Observe(Event(typeof(TcpServerHandler), Inbound, new NotSslRecordException()));
        Assert.Equal(2, logs.Lines.Count);
        Assert.Contains("4 more from there", logs.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void PeerClosedTheHandshakeThisNodeBegan_CountedAndNamed_ButAJudgedCertificateIsNot()
    {
        var logs = new CollectingLoggers();
        var detector = new ForeignPeerDetector(logs, new ManualTime());

        Assert.True(detector.Observe(Event(typeof(TcpClientHandler), Outbound, new IOException("Channel is closed"))));
        Assert.False(detector.Observe(Event(typeof(TcpClientHandler), Outbound,
            new AggregateException(new AuthenticationException("The remote certificate was rejected by the provided RemoteCertificateValidationCallback.")))));
        Assert.False(detector.Observe(Event(typeof(TcpServerHandler), Inbound, new IOException("Channel is closed")))); // not the no-TLS case
        Assert.False(detector.Observe(new Warning("akka://appliance", typeof(TcpClientHandler), Outbound)));

        Assert.Equal(1, detector.PeerClosed);
        Assert.Equal(0, detector.NoTls);
        var line = Assert.Single(logs.Lines);
        Assert.Contains("198.18.0.12:7946 closed the TLS handshake this node began (Channel is closed)", line, StringComparison.Ordinal);
    }

    // Named like DotNetty's types: the detector knows them by name (they are not Akka's public API).
    private sealed class TcpServerHandler;

    private sealed class TcpClientHandler;

    private sealed class NotSslRecordException : Exception;

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}

using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Event;
using Microsoft.Extensions.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Appliance.Cluster.Hosting;

/// <summary>Hands the host's logger factory to <see cref="AkkaLogger"/> (Akka creates loggers by type, without arguments).</summary>
public sealed class LoggingSetup(ILoggerFactory loggers, Security.ForeignPeerDetector? foreignPeers = null) : Setup
{
    public ILoggerFactory Loggers { get; } = loggers;

    /// <summary>Sees every Akka log event first; the events it recognises are written at Debug (it reports them itself).</summary>
    public Security.ForeignPeerDetector? ForeignPeers { get; } = foreignPeers;
}

/// <summary>
/// Akka's log events written to the host's logging, category <c>Akka</c> plus the source's class,
/// so an operator filters them like any other category. Named in <c>akka.loggers</c> by
/// <see cref="Settings.ClusterHocon"/>. A peer that speaks no TLS, or closes the handshake this
/// node began, is reported by <see cref="Security.ForeignPeerDetector"/> in one clear line instead
/// of DotNetty's errors.
/// </summary>
public sealed class AkkaLogger : ReceiveActor
{
    public AkkaLogger()
    {
        var loggers = Context.System.Settings.Setup.Get<LoggingSetup>();
        var factory = loggers.HasValue ? loggers.Value.Loggers : Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        var foreignPeers = loggers.HasValue ? loggers.Value.ForeignPeers : null;
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            var logger = factory.CreateLogger("Akka." + (e.LogClass?.Name ?? "System"));
            var level = foreignPeers?.Observe(e) == true ? LogLevel.Debug : ToLevel(e.LogLevel());
            if (logger.IsEnabled(level))
            {
#pragma warning disable CA1848, CA2254 // Akka hands over formatted text; there is no template to cache
                logger.Log(level, e.Cause, "{Source}: {Message}", e.LogSource, e.Message?.ToString());
#pragma warning restore CA1848, CA2254
            }
        });
    }

    private static LogLevel ToLevel(AkkaLogLevel level) => level switch
    {
        AkkaLogLevel.ErrorLevel => LogLevel.Error,
        AkkaLogLevel.WarningLevel => LogLevel.Warning,
        AkkaLogLevel.InfoLevel => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}

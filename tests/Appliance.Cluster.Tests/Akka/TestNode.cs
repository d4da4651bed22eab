using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Appliance.Cluster.Hosting;
using Appliance.Cluster.Settings;
using Appliance.Core.Configuration;
using Appliance.Core.Membership;
using Appliance.Core.Security;
using Microsoft.Extensions.Logging;

namespace Appliance.Tests.Akka;

/// <summary>A <see cref="ClusterHost"/> on loopback with its own port, for in-process cluster tests.</summary>
internal sealed class TestNode : IAsyncDisposable
{
    private TestNode(string name, int port, ClusterHost host, RecordingParticipant participant, CollectingLoggers logs)
    {
        Name = name;
        Port = port;
        Host = host;
        Participant = participant;
        Logs = logs;
    }

    public string Name { get; }

    public int Port { get; }

    public ClusterHost Host { get; }

    public RecordingParticipant Participant { get; }

    public CollectingLoggers Logs { get; }

    public string Address => $"127.0.0.1:{Port}";

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<TestNode> StartAsync(string name, int port, IEnumerable<int> seedPorts, ClusterKey key, bool crashable = false, TimeSpan? downAfter = null)
    {
        var options = new NodeClusterOptions
        {
            BindAddress = $"127.0.0.1:{port}",
            Seeds = [.. seedPorts.Select(p => $"127.0.0.1:{p}")],
            KeyFile = "unused",
            SeedJoinTimeout = TimeSpan.FromSeconds(1),
            DownAfter = downAfter ?? TimeSpan.FromSeconds(30),
        };
        var logs = new CollectingLoggers();
        var participant = new RecordingParticipant(crashable);
        var host = new ClusterHost(ClusterSettings.From(options, name), key, [participant], logs, TimeProvider.System);
        await host.StartAsync(CancellationToken.None);
        return new TestNode(name, port, host, participant, logs);
    }

    /// <summary>Waits until <paramref name="condition"/> holds of this node's view, or fails after <paramref name="seconds"/>.</summary>
    public async Task<TimeSpan> WaitForAsync(Func<ClusterView, bool> condition, double seconds, string what)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!condition(Host.Current))
        {
            if (started.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                Assert.Fail($"{Name}: {what} did not happen in {seconds} s; view: {Describe(Host.Current)}; log:\n{string.Join("\n", Logs.Lines.TakeLast(30))}");
            }

            await Task.Delay(20);
        }

        return started.Elapsed;
    }

    public static string Describe(ClusterView view) =>
        $"{view.Phase} [{string.Join(", ", view.Members.Select(m => $"{m.Name} {m.Status} {(m.Reachable ? "reachable" : "unreachable")}"))}]";

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await Host.StopAsync(bound.Token);
        await Host.DisposeAsync();
    }
}

/// <summary>Records the calls the host makes; optionally lets a test end the system without a leave (a crash).</summary>
internal sealed class RecordingParticipant(bool crashable) : IClusterParticipant
{
    private int _started;
    private int _stopped;

    public int Started => _started;

    public int Stopped => _stopped;

    /// <summary>Whether the cluster had this system as a member already when the participant started (it must not).</summary>
    public bool StartedAfterJoin { get; private set; }

    public Config Settings => crashable
        ? ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off\nakka.cluster.run-coordinated-shutdown-when-down = off")
        : Config.Empty;

    public void Start(ActorSystem system)
    {
        StartedAfterJoin |= global::Akka.Cluster.Cluster.Get(system).State.Members.Count > 0;
        Interlocked.Increment(ref _started);
    }

    public Task StopAsync(ActorSystem system, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _stopped);
        return Task.CompletedTask;
    }
}

/// <summary>A logger factory that keeps every line (thread-safe), for assertions on what was logged.</summary>
internal sealed class CollectingLoggers : ILoggerFactory, ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
        {
            _lines.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
        }
    }

    public void Dispose()
    {
    }
}

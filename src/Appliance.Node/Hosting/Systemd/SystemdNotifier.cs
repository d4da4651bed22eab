using System.Diagnostics;
using System.Net.Sockets;
using Appliance.Node.Management;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Node.Hosting.Systemd;

/// <summary>
/// Tells systemd how the node is doing when it runs as a <c>Type=notify</c> service: READY=1 the
/// first time the node's not-ready reasons (<see cref="NodeStatusSource.NotReadyReasons"/>, which
/// include cluster state sync) are all gone, STATUS= lines as they change, RELOADING=1 and READY=1
/// around a configuration reload, STOPPING=1 on shutdown. Without <c>$NOTIFY_SOCKET</c> it is not
/// registered. A failing socket is logged once and never affects the node.
/// </summary>
internal sealed class SystemdNotifier : IHostedService, IDisposable
{
    private readonly string _address;
    private readonly Func<IReadOnlyList<string>> _notReadyReasons;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ConfigReloader? _reloader;
    private readonly ILogger _logger;
    private readonly TimeSpan _poll;
    private readonly NotifyState _state = new();
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private CancellationTokenRegistration _stopping;
    private Task? _loop;
    private SdNotifySocket? _socket;
    private bool _sendFailed;

    public SystemdNotifier(
        string address,
        Func<IReadOnlyList<string>> notReadyReasons,
        IHostApplicationLifetime lifetime,
        ConfigReloader? reloader,
        ILogger<SystemdNotifier> logger,
        TimeSpan? poll = null)
    {
        _address = address;
        _notReadyReasons = notReadyReasons;
        _lifetime = lifetime;
        _reloader = reloader;
        _logger = logger;
        _poll = poll ?? TimeSpan.FromMilliseconds(100);
    }

    /// <summary>Registers the notifier when <c>$NOTIFY_SOCKET</c> is set (the node runs under systemd).</summary>
    public static void AddIfRequested(IServiceCollection services)
    {
        if (Environment.GetEnvironmentVariable(SdNotifySocket.Variable) is not { Length: > 0 } address)
        {
            return;
        }

        services.AddHostedService(sp =>
        {
            var admin = sp.GetRequiredService<AdminListener>();

            // The status source is the admin listener's, so readiness here and in /api/v1/status agree.
            return new SystemdNotifier(
                address,
                () => admin.Status?.NotReadyReasons() ?? ["starting: admin listener not started yet"],
                sp.GetRequiredService<IHostApplicationLifetime>(),
                sp.GetService<ConfigReloader>(),
                sp.GetRequiredService<ILogger<SystemdNotifier>>());
        });
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _socket = new SdNotifySocket(_address);
        }
        catch (ArgumentException e)
        {
            SystemdLog.UnsupportedAddress(_logger, e.Message); // the node runs; systemd will time out its start
            return Task.CompletedTask;
        }

        if (_reloader is not null)
        {
            _reloader.ReloadStarting += OnReloadStarting;
            _reloader.ReloadFinished += OnReloadFinished;
        }

        _stopping = _lifetime.ApplicationStopping.Register(() => Send(NotifyState.OnStopping()));
        _loop = Task.Run(WatchReadinessAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    // Polls rather than subscribes: readiness is the conjunction of several parts' states (config,
    // listeners, cluster sync), and NotReadyReasons is cheap. Faster until ready, then slower.
    private async Task WatchReadinessAsync()
    {
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                if (!_lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    IReadOnlyList<string> reasons;
                    try
                    {
                        reasons = _notReadyReasons();
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        reasons = [$"readiness unknown ({e.GetType().Name})"];
                    }

                    string? message;
                    lock (_lock)
                    {
                        message = _state.OnReadiness(reasons);
                    }

                    if (message is not null)
                    {
                        if (message.StartsWith("READY=1", StringComparison.Ordinal))
                        {
                            SystemdLog.ReadySent(_logger);
                        }

                        Send(message);
                    }
                }

                await Task.Delay(_state.ReadySent ? _poll * 10 : _poll, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private void OnReloadStarting(string trigger)
    {
        var monotonicMicroseconds = (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));
        string? message;
        lock (_lock)
        {
            message = _state.OnReloadStarting(trigger, monotonicMicroseconds);
        }

        Send(message);
    }

    private void OnReloadFinished(ReloadAttemptResult result)
    {
        string? message;
        lock (_lock)
        {
            message = _state.OnReloadFinished(result.Applied, result.Revision, result.Errors.Count);
        }

        Send(message);
    }

    private void Send(string? message)
    {
        if (message is null || _socket is null)
        {
            return;
        }

        try
        {
            _socket.Send(message);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            if (!_sendFailed)
            {
                _sendFailed = true; // once: a vanished socket would otherwise log every poll
                SystemdLog.SendFailed(_logger, _address, e.Message);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_reloader is not null)
        {
            _reloader.ReloadStarting -= OnReloadStarting;
            _reloader.ReloadFinished -= OnReloadFinished;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _stop.Dispose();
        _socket?.Dispose();
    }
}

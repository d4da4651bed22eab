using Appliance.Core.Configuration;
using Appliance.Proxy;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Runtime.InteropServices;

namespace Appliance.Node.Hosting;

/// <summary>
/// Reloads the configuration file when it changes on disk (editors and config managers often
/// replace it by rename, so the directory is watched), on SIGHUP and when the admin API asks.
/// Changes are debounced; a bad file is reported with every problem and the running
/// configuration stays. Attempts and failures are counted for metrics.
/// </summary>
internal sealed class ConfigReloader(string path, ConfigStore store, ProxyConfigurator configurator, TimeProvider time, ILogger<ConfigReloader> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(250);

    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private FileSystemWatcher? _watcher;
    private PosixSignalRegistration? _sighup;
    private Task? _loop;
    private string _pendingTrigger = "file change";
    private readonly Lock _waitersLock = new();
    private TaskCompletionSource<ReloadAttemptResult> _waiters = NewWaiters();
    private long _attempts;
    private long _failures;
    private volatile ReloadAttemptResult? _last;

    /// <summary>The file this reloader reads.</summary>
    public string Path => path;

    /// <summary>Reloads attempted since start (applied or not).</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Reloads refused (invalid file) or failed unexpectedly since start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The last attempt, or null before the first.</summary>
    public ReloadAttemptResult? Last => _last;

    /// <summary>Raised on the reload loop before a reload, with its trigger (the systemd notifier says RELOADING=1).</summary>
    public event Action<string>? ReloadStarting;

    /// <summary>Raised on the reload loop after a reload, with its outcome.</summary>
    public event Action<ReloadAttemptResult>? ReloadFinished;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var full = System.IO.Path.GetFullPath(path);
        _watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(full)!, System.IO.Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => Request("file change");
        _watcher.Created += (_, _) => Request("file change");
        _watcher.Renamed += (_, _) => Request("file change");
        _watcher.EnableRaisingEvents = true;
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP means reload here, not terminate
            Request("SIGHUP");
        });
        if (SignalDisposition.IsIgnoredHere(SignalDisposition.SigHup))
        {
            NodeLog.SighupIgnored(logger, path);
        }
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Asks for a reload, as SIGHUP does.</summary>
    public void Request(string trigger)
    {
        _pendingTrigger = trigger;
        _signal.Release();
    }

    /// <summary>
    /// Asks for a reload, as SIGHUP does, and completes with the outcome of the reload that covers
    /// this request (requests arriving together are coalesced into one reload, as file events are).
    /// </summary>
    public Task<ReloadAttemptResult> RequestAsync(string trigger, CancellationToken cancel)
    {
        Task<ReloadAttemptResult> outcome;
        lock (_waitersLock)
        {
            outcome = _waiters.Task;
        }

        Request(trigger);
        return outcome.WaitAsync(cancel);
    }

    private async Task LoopAsync()
    {
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                await _signal.WaitAsync(token).ConfigureAwait(false);
                await Task.Delay(Debounce, token).ConfigureAwait(false);
                while (_signal.CurrentCount > 0)
                {
                    await _signal.WaitAsync(token).ConfigureAwait(false); // coalesce the burst
                }

                TaskCompletionSource<ReloadAttemptResult> waiters;
                lock (_waitersLock)
                {
                    waiters = _waiters;
                    _waiters = NewWaiters(); // requests from here on wait for the next reload
                }

                var trigger = _pendingTrigger;
                ReloadStarting?.Invoke(trigger);
                var result = await ReloadAsync(trigger).ConfigureAwait(false);
                _last = result;
                waiters.TrySetResult(result);
                ReloadFinished?.Invoke(result);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task<ReloadAttemptResult> ReloadAsync(string trigger)
    {
        Interlocked.Increment(ref _attempts);
        IReadOnlyList<ConfigError> errors;
        try
        {
            var previous = store.Current;
            var result = ConfigLoader.LoadFile(path);
            foreach (var warning in result.Warnings)
            {
                NodeLog.ConfigWarning(logger, path, warning.Path, warning.Message);
            }

            errors = result.Config is { } config ? await configurator.TryApplyAsync(config).ConfigureAwait(false) : result.Errors;
            if (errors.Count > 0)
            {
                NodeLog.ReloadRefused(logger, path, trigger, errors.Count, string.Join('\n', errors.Select(e => "  " + e)));
            }
            else
            {
                if (!previous.Listeners.SequenceEqual(store.Current.Listeners))
                {
                    NodeLog.ListenersNeedRestart(logger, path);
                }

                NodeLog.Reloaded(logger, path, trigger, store.Revision);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            NodeLog.ReloadFailed(logger, e, path); // never take the node down over a reload
            errors = [new ConfigError("$", $"the reload failed unexpectedly ({e.GetType().Name}: {e.Message}); the node's log has the details.")];
        }

        if (errors.Count > 0)
        {
            Interlocked.Increment(ref _failures);
        }

        return new ReloadAttemptResult(time.GetUtcNow(), trigger, errors, store.Revision, store.AppliedAt);
    }

    private static TaskCompletionSource<ReloadAttemptResult> NewWaiters() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        lock (_waitersLock)
        {
            _waiters.TrySetCanceled(CancellationToken.None);
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _sighup?.Dispose();
        _stop.Dispose();
        _signal.Dispose();
    }
}

/// <summary>One reload attempt: when, why, what refused it (empty when applied), and the revision in force after it.</summary>
internal sealed record ReloadAttemptResult(DateTimeOffset At, string Trigger, IReadOnlyList<ConfigError> Errors, long Revision, DateTimeOffset AppliedAt)
{
    public bool Applied => Errors.Count == 0;
}

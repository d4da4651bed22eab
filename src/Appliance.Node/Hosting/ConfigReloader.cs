using Appliance.Core.Configuration;
using Appliance.Proxy;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Runtime.InteropServices;

namespace Appliance.Node.Hosting;

/// <summary>
/// Reloads the configuration file when it changes on disk (editors and config managers often
/// replace it by rename, so the directory is watched) and on SIGHUP. Changes are debounced;
/// a bad file is reported with every problem and the running configuration stays.
/// </summary>
internal sealed class ConfigReloader(string path, ConfigStore store, ProxyConfigurator configurator, ILogger<ConfigReloader> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(250);

    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private FileSystemWatcher? _watcher;
    private PosixSignalRegistration? _sighup;
    private Task? _loop;
    private string _pendingTrigger = "file change";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
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
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Asks for a reload, as SIGHUP does.</summary>
    public void Request(string trigger)
    {
        _pendingTrigger = trigger;
        _signal.Release();
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

                await ReloadAsync(_pendingTrigger).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task ReloadAsync(string trigger)
    {
        try
        {
            var previous = store.Current;
            var result = ConfigLoader.LoadFile(path);
            var errors = result.Config is { } config ? await configurator.TryApplyAsync(config).ConfigureAwait(false) : result.Errors;
            if (errors.Count > 0)
            {
                NodeLog.ReloadRefused(logger, path, trigger, errors.Count, string.Join('\n', errors.Select(e => "  " + e)));
                return;
            }

            if (!previous.Listeners.SequenceEqual(store.Current.Listeners))
            {
                NodeLog.ListenersNeedRestart(logger, path);
            }

            NodeLog.Reloaded(logger, path, trigger, store.Revision);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            NodeLog.ReloadFailed(logger, e, path); // never take the node down over a reload
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
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

using Appliance.Core.Configuration;
using Microsoft.Extensions.Hosting;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// Runs the configured TCP listeners and follows reloads: new listeners start, removed ones stop
/// accepting and drain, changed settings apply to new connections; a changed address needs a
/// restart (logged). On shutdown every listener stops accepting at once and drains for its
/// DrainTimeout. A listener that cannot bind at start fails the start; on reload it is logged.
/// </summary>
internal sealed class TcpListenerManager(ConfigStore store, TcpServices services) : IHostedService
{
    private readonly Dictionary<string, TcpListenerRuntime> _listeners = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Task> _draining = [];
    private readonly Lock _lock = new();

    /// <summary>A running listener by name, for tests and the admin API.</summary>
    public TcpListenerRuntime? Find(string name)
    {
        lock (_lock)
        {
            return _listeners.GetValueOrDefault(name);
        }
    }

    /// <summary>The running listeners now, ordered by name (for metrics).</summary>
    public IReadOnlyList<TcpListenerRuntime> Listeners()
    {
        lock (_lock)
        {
            return [.. _listeners.Values.OrderBy(l => l.Name, StringComparer.Ordinal)];
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            try
            {
                foreach (var (name, options) in store.Current.Tcp.Listeners)
                {
                    StartListener(name, options);
                }
            }
            catch
            {
                StopAllNow();
                throw;
            }

            store.Changed += OnChanged;
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<Task> stopping;
        lock (_lock)
        {
            store.Changed -= OnChanged;
            stopping = [.. _listeners.Values.Select(l => l.StopAsync(l.Options.DrainTimeout, cancellationToken)), .. _draining];
            _listeners.Clear();
        }

        await Task.WhenAll(stopping).ConfigureAwait(false);
    }

    private void OnChanged(ApplianceConfig config)
    {
        lock (_lock)
        {
            foreach (var (name, options) in config.Tcp.Listeners)
            {
                if (!_listeners.TryGetValue(name, out var running))
                {
                    try
                    {
                        StartListener(name, options);
                    }
                    catch (IOException e)
                    {
                        TcpLog.ListenerBindFailed(services.Logger, e, name);
                    }

                    continue;
                }

                if (!string.Equals(running.Address, options.Address, StringComparison.OrdinalIgnoreCase) || running.FreeBind != options.FreeBind)
                {
                    TcpLog.ListenerAddressNeedsRestart(services.Logger, name, running.Address, options.Address, $"FreeBind {options.FreeBind}");
                }

                running.Update(options);
            }

            foreach (var name in _listeners.Keys.Where(n => !config.Tcp.Listeners.ContainsKey(n)).ToList())
            {
                var removed = _listeners[name];
                _listeners.Remove(name);
                _draining.RemoveAll(t => t.IsCompleted);
                _draining.Add(removed.StopAsync(removed.Options.DrainTimeout, CancellationToken.None));
            }
        }
    }

    private void StartListener(string name, TcpListenerOptions options)
    {
        var listener = new TcpListenerRuntime(name, options, services);
        listener.Start();
        _listeners[name] = listener;
        TcpLog.ListenerStarted(services.Logger, name, options.Address, options.Pool);
        if (options.FreeBind && !TcpListenSockets.IsLocal(options.Address))
        {
            TcpLog.BoundNonLocal(services.Logger, name, options.Address);
        }
    }

    private void StopAllNow()
    {
        foreach (var listener in _listeners.Values)
        {
            listener.StopAsync(TimeSpan.Zero, CancellationToken.None).GetAwaiter().GetResult();
        }

        _listeners.Clear();
    }
}

using Appliance.Core.Configuration;
using Appliance.Proxy.Health;
using Microsoft.Extensions.Hosting;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// Runs active checks: one loop per pool with checks enabled, which checks every backend not in
/// maint at once, feeds the results to their rise/fall counters, then waits the interval. Loops
/// follow reloads (started, stopped; interval and timeout are read afresh on each round).
/// </summary>
internal sealed class TcpHealthMonitor(ConfigStore store, TcpServices services) : IHostedService
{
    private readonly Dictionary<string, (CancellationTokenSource Stop, Task Loop)> _loops = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Reconcile(store.Current);
            store.Changed += Reconcile;
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<Task> loops;
        lock (_lock)
        {
            store.Changed -= Reconcile;
            loops = [.. _loops.Values.Select(l => l.Loop)];
            foreach (var (stop, _) in _loops.Values)
            {
                stop.Cancel();
            }

            _loops.Clear();
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private void Reconcile(ApplianceConfig config)
    {
        lock (_lock)
        {
            foreach (var id in _loops.Keys.ToList())
            {
                if (!config.Tcp.Pools.TryGetValue(id, out var pool) || !pool.HealthCheck.Enabled)
                {
                    _loops[id].Stop.Cancel();
                    _loops.Remove(id);
                }
            }

            foreach (var (id, pool) in config.Tcp.Pools)
            {
                if (pool.HealthCheck.Enabled && !_loops.ContainsKey(id))
                {
                    var stop = new CancellationTokenSource();
                    _loops[id] = (stop, Task.Run(() => LoopAsync(id, stop.Token), CancellationToken.None));
                }
            }
        }
    }

    private async Task LoopAsync(string poolId, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested && services.Pools.Find(poolId) is { } pool)
            {
                var options = pool.Options.HealthCheck;
                var checks = pool.Backends
                    .Where(b => b.Core.AdminState != BackendAdminState.Maint)
                    .Select(b => CheckAsync(pool, b, options, stop));
                await Task.WhenAll(checks).ConfigureAwait(false);
                await Task.Delay(options.Interval, services.Time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task CheckAsync(TcpPoolRuntime pool, TcpBackendRuntime backend, TcpHealthCheckOptions options, CancellationToken stop)
    {
        var good = await TcpHealthProbe.ProbeAsync(backend.EndPoint, options, stop).ConfigureAwait(false);
        var before = backend.Health;
        backend.RecordProbe(good, options.Rise, options.Fall, services.Time.GetUtcNow());
        if (backend.Health != before && (before != ProbeVerdict.Unknown || backend.Health == ProbeVerdict.Unhealthy))
        {
            TcpLog.HealthChanged(services.Logger, pool.Id, backend.Id, backend.Health == ProbeVerdict.Healthy ? "up" : "down");
        }
    }
}

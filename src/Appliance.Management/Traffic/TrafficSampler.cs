using Appliance.Management.Api;
using Appliance.Management.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Appliance.Management.Traffic;

/// <summary>Samples every backend's counters (HTTP clusters and TCP pools) into their <see cref="TrafficHistory"/> once a second.</summary>
internal sealed class TrafficSampler(IServiceProvider services, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var layers = BackendLayer.All
            .Select(l => (Admin: services.GetKeyedService<IBackendAdmin>(l.ServiceKey), History: services.GetRequiredKeyedService<TrafficHistory>(l.ServiceKey)))
            .Where(l => l.Admin is not null)
            .ToList();
        Sample(layers);
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Sample(layers);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Sample(List<(IBackendAdmin? Admin, TrafficHistory History)> layers)
    {
        foreach (var (admin, history) in layers)
        {
            history.Record(time.GetUtcNow(), admin!.Snapshot().SelectMany(c => c.Backends));
        }
    }
}

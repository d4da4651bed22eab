using Appliance.Management.Sources;
using Microsoft.Extensions.Hosting;

namespace Appliance.Management.Traffic;

/// <summary>Samples every backend's counters into <see cref="TrafficHistory"/> once a second.</summary>
internal sealed class TrafficSampler(TrafficHistory history, IBackendAdmin backends, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        history.Record(time.GetUtcNow(), backends.Snapshot().SelectMany(c => c.Backends));
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                history.Record(time.GetUtcNow(), backends.Snapshot().SelectMany(c => c.Backends));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

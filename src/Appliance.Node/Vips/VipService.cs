using System.Runtime.Versioning;
using Appliance.Cluster.Hosting;
using Appliance.Core.Configuration;
using Appliance.Vip;
using Appliance.Vip.Linux;
using Appliance.Vip.Tracking;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Node.Vips;

/// <summary>
/// Feeds the membership view and this node's tracking into the VIP controller every 50 ms and
/// lets it drive the Linux driver. Without the needed capabilities it says so and does nothing.
/// </summary>
internal sealed class VipService(
    ApplianceConfig config, TimeProvider time, ILogger<VipService> logger, IClusterMembership? membership = null, IStateSyncStatus? stateSync = null)
    : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);
    private VipController? _controller;

    /// <summary>Null while VIPs are not running, else their status.</summary>
    public IReadOnlyList<VipStatus>? Current => _controller?.Current;

    /// <summary>Why VIPs are not running, when they are not.</summary>
    public string? DisabledReason { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            Disable("virtual IPs need Linux (rtnetlink and AF_PACKET)");
            return;
        }

        if (Capabilities.MissingForVips(await File.ReadAllTextAsync("/proc/self/status", stoppingToken).ConfigureAwait(false)) is { } missing)
        {
            Disable(missing);
            return;
        }

        await RunAsync(stoppingToken).ConfigureAwait(false);
    }

    [SupportedOSPlatform("linux")]
    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var vips = VipDefinitions.From(config.Vips);
        using var driver = new LinuxVipDriver();
        var stale = driver.RemoveStale(vips);
        if (stale.Count > 0)
        {
            VipLog.RemovedStale(logger, stale.Count, string.Join(", ", stale));
        }

        var controller = new VipController(vips, VipDefinitions.Announce(config.Vips), driver, config.Node.Name);
        _controller = controller;
        VipLog.Started(logger, vips.Count, config.Node.Name);
        using var timer = new PeriodicTimer(Tick, time);
        try
        {
            do
            {
                try
                {
                    var members = VipMembersFeed.From(membership?.Current, config.Node.Name, Penalties(), controller.Claims);
                    if (stateSync is { IsStateSynced: false })
                    {
                        // Not synced yet: take no VIP (clients would land on an empty session table).
                        members = VipMembersFeed.Without(members, config.Node.Name);
                    }

                    foreach (var line in controller.Tick(members, time.GetUtcNow()))
                    {
                        VipLog.Transition(logger, line);
                    }
                }
                catch (IOException e)
                {
                    VipLog.TickFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: give the addresses up so no stale VIP outlives the process.
            controller.ReleaseAll();
        }
    }

    /// <summary>Interface tracking; pools and scripts are not wired yet (docs/vips.md, known limits).</summary>
    [SupportedOSPlatform("linux")]
    private Dictionary<string, int> Penalties()
    {
        var penalties = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var vip in config.Vips)
        {
            var results = vip.Track.Interfaces.Select(i => new TrackResult($"interface {i.Name}", i.Weight, LinkInfo.Find(i.Name) is not { Up: true }));
            penalties[vip.Address] = TrackPenalty.Of(results);
        }

        return penalties;
    }

    private void Disable(string reason)
    {
        DisabledReason = reason;
        VipLog.Disabled(logger, reason);
    }
}

using System.Runtime.Versioning;
using Appliance.Core.Configuration;
using Appliance.Core.Membership;
using Appliance.Vip.Adverts;
using Appliance.Vip.Linux;
using Appliance.Vip.Tracking;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Vip.Hosting;

/// <summary>
/// Feeds the membership view, the peers' VIP adverts and this node's tracking into the VIP
/// controller every 50 ms, and at once when a peer's advert changes or it falls silent; lets it
/// drive the Linux driver and publishes this node's stand on the advert channel. On stop it
/// hands its VIPs over first (the peers take them at once), then drops them. Without the needed
/// capabilities, libpcap or the advert socket it says so and runs without VIPs.
/// </summary>
/// <param name="advertKey">The advert channel's key (<c>ClusterKey.Derive("vip-adverts")</c>); with <paramref name="membership"/>, the node runs the channel.</param>
internal sealed class VipService(
    ApplianceConfig config,
    TimeProvider time,
    ILogger<VipService> logger,
    IClusterMembership? membership = null,
    byte[]? advertKey = null,
    IPoolHealth? pools = null,
    IStateSyncStatus? stateSync = null)
    : BackgroundService, IHostedLifecycleService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);
    private static readonly IReadOnlyDictionary<string, HeardAdvert> NoAdverts = new Dictionary<string, HeardAdvert>();

    private readonly VipMembersFeed _feed = new(VipMembersFeed.DefaultGrace);
    private readonly HashSet<string> _silentReported = new(StringComparer.Ordinal);
    private readonly HashSet<string> _quietReported = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _trackFailing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TrackScript> _scripts = config.Vips
        .Where(v => v.Track.Script is not null)
        .ToDictionary(v => v.Address, v => new TrackScript(v.Track.Script!, time), StringComparer.Ordinal);

    private readonly SemaphoreSlim _wake = new(0, 1);
    private VipController? _controller;
    private IVipAdvertChannel? _adverts;
    private volatile bool _leavingTicked;

    /// <summary>Null while VIPs are not running, else their status.</summary>
    public IReadOnlyList<VipStatus>? Current => _controller?.Current;

    /// <summary>The advert channel's counters, while it runs.</summary>
    public AdvertStats? Adverts { get; private set; }

    /// <summary>Why VIPs are not running, when they are not.</summary>
    public string? DisabledReason { get; private set; }

    /// <summary><c>vip move</c>: null when this node gives the VIP up, else why not.</summary>
    public string? Move(string vip, string? to)
    {
        if (_controller is not { } controller)
        {
            return $"VIPs are not running on this node: {DisabledReason ?? "starting"}.";
        }

        var refusal = controller.Move(vip, to);
        if (refusal is null)
        {
            VipLog.Moved(logger, vip, to is null ? "to the best-ranked node" : $"to {to}");
        }

        return refusal;
    }

    /// <summary>
    /// Called on every lifecycle service before any of them stops, so the VIPs move while this
    /// node's listeners still serve: a graceful stop (VRRP priority 0) with no moment when
    /// clients reach a VIP nobody answers on. Bounded by the handover timeout.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (_controller is not { } controller || controller.Claims.Count == 0)
        {
            return;
        }

        VipLog.HandingOver(logger);
        controller.BeginLeaving();
        var deadline = time.GetUtcNow() + Ownership.VipOwnershipMachine.HandoverTimeout + TimeSpan.FromSeconds(1);
        try
        {
            while (time.GetUtcNow() < deadline && controller.Claims.Count > 0 && (controller.HandingOver || !_leavingTicked))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The host gave up waiting: the addresses go in the loop's own stop.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            Disable("virtual IPs need Linux (rtnetlink and libpcap)");
            return;
        }

        if (Capabilities.MissingForVips(await File.ReadAllTextAsync("/proc/self/status", stoppingToken).ConfigureAwait(false)) is { } missing)
        {
            Disable(missing);
            return;
        }

        if (PcapFrameSender.Probe() is { } pcap)
        {
            Disable(pcap);
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

        UdpAdvertChannel? channel = null;
        if (membership is not null && advertKey is null)
        {
            Disable("in a cluster the VIP adverts need the cluster key, and none was loaded");
            return;
        }

        if (membership is not null && advertKey is not null)
        {
            (channel, var error) = AdvertChannelFactory.Open(config, advertKey, membership, time, logger);
            if (channel is null)
            {
                Disable(error!);
                return;
            }

            channel.Changed += Wake;
            _adverts = channel;
        }

        using var adverts = channel;
        var controller = new VipController(vips, VipDefinitions.Announce(config.Vips), driver, config.Node.Name);
        _controller = controller;
        Adverts = channel?.Stats;
        channel?.Start();
        VipLog.Started(logger, vips.Count, config.Node.Name);
        var scripts = _scripts.Values.Select(s => Task.Run(() => s.RunAsync(line => VipLog.Transition(logger, line), stoppingToken), CancellationToken.None)).ToList();
        try
        {
            while (true)
            {
                TickOnce(controller);
                await _wake.WaitAsync(Tick, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // StoppingAsync handed the VIPs over; whatever is still held (no peer could take it)
            // goes now, so no stale VIP outlives the process.
            controller.ReleaseAll();
        }

        await Task.WhenAll(scripts).ConfigureAwait(false);
    }

    [SupportedOSPlatform("linux")]
    private void TickOnce(VipController controller)
    {
        try
        {
            var now = time.GetUtcNow();
            var leaving = controller.Leaving;
            var penalties = Penalties();
            if (stateSync is { IsStateSynced: false })
            {
                // Still pulling replicated state: take no VIP (clients would land on an empty session table).
                penalties = VipMembersFeed.Syncing(penalties);
            }
            var feed = _feed.From(membership?.Current, controller.SelfMember(penalties), _adverts?.Peers ?? NoAdverts, now);
            foreach (var name in feed.Silent.Where(_silentReported.Add))
            {
                VipLog.SilentMember(logger, name, _feed.Grace.TotalMilliseconds);
            }

            foreach (var name in feed.Quiet.Where(_quietReported.Add))
            {
                VipLog.QuietMember(logger, name);
            }

            _quietReported.IntersectWith(feed.Quiet);

            foreach (var line in controller.Tick(feed.Members, now, decide: feed.Unheard.Count == 0))
            {
                VipLog.Transition(logger, line);
            }

            _adverts?.Publish(VipMembersFeed.Advert(controller.SelfMember(penalties), controller.Names));
            _leavingTicked = leaving;
        }
        catch (IOException e)
        {
            VipLog.TickFailed(logger, e);
        }
    }

    /// <summary>This node's penalty per VIP from its tracked interfaces, pools and script.</summary>
    [SupportedOSPlatform("linux")]
    private Dictionary<string, int> Penalties()
    {
        var penalties = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var vip in config.Vips)
        {
            var results = new List<TrackResult>();
            results.AddRange(vip.Track.Interfaces.Select(i => new TrackResult($"interface {i.Name}", i.Weight, LinkInfo.Find(i.Name) is not { Up: true })));
            results.AddRange(vip.Track.Pools.Select(p => new TrackResult($"{TrackedPool.Describe(p)} has no healthy backend", p.Weight, pools is not null && !pools.HasHealthy(p))));
            if (_scripts.TryGetValue(vip.Address, out var script))
            {
                results.Add(new TrackResult($"track script {script.Options.Path}", script.Options.Weight, script.Failing));
            }

            foreach (var r in results)
            {
                if (_trackFailing.TryGetValue($"{vip.Address} {r.What}", out var was) ? was != r.Failing : r.Failing)
                {
                    VipLog.Transition(logger, r.Failing
                        ? $"VIP {vip.Address}: tracking: {r.What} is failing ({(r.Weight == 0 ? "fault" : $"priority -{r.Weight}")})"
                        : $"VIP {vip.Address}: tracking: {r.What} is fine again");
                }

                _trackFailing[$"{vip.Address} {r.What}"] = r.Failing;
            }

            penalties[vip.Address] = TrackPenalty.Of(results);
        }

        return penalties;
    }

    /// <summary>Runs the next tick now (a peer's stand changed, or it fell silent); called from the advert thread.</summary>
    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another wake got there first: one tick serves both.
            }
        }
    }

    private void Disable(string reason)
    {
        DisabledReason = reason;
        VipLog.Disabled(logger, reason);
    }
}

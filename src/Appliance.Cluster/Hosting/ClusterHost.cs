using Akka.Actor;
using Akka.Actor.Setup;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Security;
using Appliance.Cluster.Settings;
using Appliance.Core.Membership;
using Appliance.Core.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Cluster.Hosting;

/// <summary>
/// The node's membership on Akka.Cluster, as a hosted service. It owns one
/// <see cref="Incarnation"/> (one ActorSystem) at a time and starts a fresh one, with backoff,
/// whenever the current one ends while the node is not stopping: this node was downed or
/// quarantined while it lived on, or Akka.Remote ended the system (a failed outbound TLS
/// handshake ends the dialing system in Akka 1.5.75). Clients are never affected: the proxy does
/// not depend on the ActorSystem. Akka.Hosting is not used because it owns one ActorSystem for the
/// life of the host, and a downed node here must come back in the same process.
/// On stop: participants stop, the node leaves, the system ends (the VIP handover runs before,
/// the listeners after, by the order of the hosted services).
/// </summary>
public sealed class ClusterHost : IHostedService, IClusterMembership, IClusterPeerHints, IAsyncDisposable
{
    public static readonly TimeSpan StopStepTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(60);

    private readonly ClusterSettings _settings;
    private readonly IReadOnlyList<IClusterParticipant> _participants;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly ClusterCertificates _certificates;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _viewGate = new();
    private Task? _loop;
    private volatile Incarnation? _current;
    private volatile ClusterView _view = ClusterView.NotStarted;
    private int _incarnation;
    private bool _joinedLogged;
    private bool _left;
    private volatile bool _leaveRequested;

    public ClusterHost(ClusterSettings settings, ClusterKey key, IEnumerable<IClusterParticipant> participants, ILoggerFactory loggers, TimeProvider time)
    {
        _settings = settings;
        _participants = [.. participants];
        _loggers = loggers;
        _logger = loggers.CreateLogger("Appliance.Cluster");
        _time = time;
        _certificates = ClusterCertificates.Create(key, settings.NodeName, time);
        Authenticator = new PeerAuthenticator(_certificates, _logger, time);
        ForeignPeers = new ForeignPeerDetector(_logger, time);
    }

    public ClusterView Current => _view;

    public event Action<ClusterView>? Changed;

    public event Action<PeerHint>? Hint;

    public ClusterSettings Settings => _settings;

    public ClusterStats Stats { get; } = new();

    /// <summary>The TLS check of every peer, with its counts.</summary>
    public PeerAuthenticator Authenticator { get; }

    /// <summary>Peers that speak no TLS or close the TLS handshake (a node of an earlier release, most likely), with their counts.</summary>
    public ForeignPeerDetector ForeignPeers { get; }

    /// <summary>The current incarnation's system, null between incarnations (for tests and diagnostics).</summary>
    internal ActorSystem? System => _current?.System;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task RunAsync()
    {
        var backoff = FirstBackoff;
        Akka.Actor.Address? join = null; // set after a heal: the next incarnation joins the other side
        while (!_stopping.IsCancellationRequested)
        {
            var number = Interlocked.Increment(ref _incarnation);
            var started = _time.GetTimestamp();
            Incarnation incarnation;
            try
            {
                ClusterHostLog.Starting(_logger, number, _settings.ToString());
                lock (_viewGate)
                {
                    _joinedLogged = false;
                }

                Publish(ClusterView.NotStarted with { Incarnations = number, At = _time.GetUtcNow() });
                incarnation = Incarnation.Start(_settings, ClusterHocon.Build(_settings),
                    [Authenticator.CreateSetup(), new LoggingSetup(_loggers, ForeignPeers)], _participants, OnChanged, OnHint, join);
                Stats.Started();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Stats.StartFailed();
                ClusterHostLog.StartFailed(_logger, e, number, (long)backoff.TotalMilliseconds);
                await DelayAsync(backoff).ConfigureAwait(false);
                backoff = Next(backoff);
                continue;
            }

            _current = incarnation;
            var seedFallback = FormAloneIfNoSeedAnswersAsync(incarnation);
            await Task.WhenAny(incarnation.Terminated, Task.Delay(Timeout.Infinite, _stopping.Token)).ConfigureAwait(false);
            if (_stopping.IsCancellationRequested)
            {
                return; // StopAsync ends the current incarnation
            }

            await seedFallback.ConfigureAwait(false);
            _current = null;
            if (_leaveRequested)
            {
                // An operator asked this node to leave (admin API): it stays out until restarted.
                lock (_viewGate)
                {
                    _left = true;
                }

                Publish(_view with { Phase = NodePhase.Stopped, Members = [], IsLeader = false, Converged = false, At = _time.GetUtcNow() });
                ClusterHostLog.Left(_logger);
                return;
            }

            Stats.Lost();
            if (_time.GetElapsedTime(started) > StableAfter)
            {
                backoff = FirstBackoff;
            }

            join = incarnation.YieldedTo;
            var reason = incarnation.YieldedTo is { } winner ? $"a healed partition: it joins the cluster of {winner.Host}:{winner.Port}"
                : incarnation.Quarantined ? "a peer quarantined it: it had been removed while it lived on"
                : incarnation.EndedByTlsHandshake ? "Akka.Remote ended the ActorSystem after an outbound TLS handshake failed (exit code 79): a peer with another key, an expired certificate, or no TLS at all"
                : incarnation.SelfDowned ? "this node was downed by the others"
                : "the ActorSystem ended";
            ClusterHostLog.Lost(_logger, number, reason, (long)backoff.TotalMilliseconds);
            Publish(ClusterView.NotStarted with { Incarnations = number, At = _time.GetUtcNow() });
            await DelayAsync(backoff).ConfigureAwait(false);
            backoff = Next(backoff);
        }
    }

    /// <summary>
    /// Akka lets only the first seed of the list form a cluster; every node sorts the list the same
    /// way, so a simultaneous start forms one cluster. When that first seed is down for good, another
    /// seed that found nobody forms it instead, the second after 4 × <see cref="ClusterSettings.SeedJoinTimeout"/>,
    /// the third after 6 ×, and so on (a seed that formed answers the later ones, which then join it).
    /// </summary>
    private async Task FormAloneIfNoSeedAnswersAsync(Incarnation incarnation)
    {
        var index = _settings.Seeds.ToList().IndexOf((_settings.PublicHost, _settings.PublicPort));
        if (index <= 0)
        {
            return; // not a seed, or the first one, which Akka lets form the cluster already
        }

        // Staggered by the place in the sorted list, so two seeds that found nobody do not both form a cluster.
        var wait = _settings.SeedJoinTimeout * (2 * (index + 1));
        await Task.WhenAny(incarnation.Terminated, Task.Delay(wait, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
        if (_stopping.IsCancellationRequested || incarnation.Terminated.IsCompleted || incarnation.IsMember)
        {
            return;
        }

        ClusterHostLog.FormingAlone(_logger, (long)wait.TotalMilliseconds);
        incarnation.Cluster.JoinSeedNodes(incarnation.SeedAddresses(_settings, selfFirst: true));
    }

    /// <summary>
    /// Leaves the cluster and stays out (the admin API's leave); the node keeps serving alone. False
    /// when this node is not a member now.
    /// </summary>
    public bool RequestLeave()
    {
        if (_current is not { IsMember: true } incarnation)
        {
            return false;
        }

        _leaveRequested = true;
        incarnation.Cluster.Leave(incarnation.Cluster.SelfAddress);
        return true;
    }

    private static TimeSpan Next(TimeSpan backoff) => backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;

    private async Task DelayAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private void OnChanged(Akka.Cluster.ClusterEvent.CurrentClusterState state, Akka.Cluster.Cluster cluster)
    {
        // Events of an ended incarnation are late news; the current one (or one still starting) counts.
        if ((_current is { } current && current.Cluster != cluster) || cluster.IsTerminated)
        {
            return;
        }

        var view = ViewMapping.ToView(state, cluster.State.SeenBy, cluster.SelfUniqueAddress, _incarnation, _left, _time.GetUtcNow());
        Publish(view);
    }

    private void Publish(ClusterView view)
    {
        bool changed;
        lock (_viewGate)
        {
            var old = _view;
            _view = view;
            changed = Signature(old) != Signature(view);
            if (changed)
            {
                LogChanges(old, view);
            }
        }

        if (changed)
        {
            Changed?.Invoke(view);
        }
    }

    private static string Signature(ClusterView view) =>
        $"{view.Phase}|{view.IsLeader}|{view.Converged}|{view.Incarnations}|" +
        string.Join(";", view.Members.Select(m => $"{m.Name},{m.Address},{m.Uid},{m.Status},{m.Reachable},{m.IsLeader}"));

    private void LogChanges(ClusterView old, ClusterView view)
    {
        if (view.Phase == NodePhase.Member && !_joinedLogged && view.Members.FirstOrDefault(m => m.IsSelf) is { Status: MemberStatus.Up } self)
        {
            _joinedLogged = true;
            ClusterHostLog.Joined(_logger, self.Address, string.Join(", ", view.Members.Select(m => $"{m.Name} ({m.Status.ToText()})")));
        }

        var before = old.Members.ToDictionary(m => m.Uid);
        foreach (var m in view.Members)
        {
            if (m.IsSelf)
            {
                continue;
            }

            if (!before.Remove(m.Uid, out var was))
            {
                ClusterHostLog.MemberStatus(_logger, m.Name, m.Address, m.Status.ToText());
                continue;
            }

            if (was.Status != m.Status)
            {
                if (m.Status == MemberStatus.Down)
                {
                    Stats.Downed();
                }

                ClusterHostLog.MemberStatus(_logger, m.Name, m.Address, m.Status.ToText());
            }

            if (was.Reachable && !m.Reachable)
            {
                Stats.Unreachable();
                ClusterHostLog.Unreachable(_logger, m.Name, m.Address);
            }
            else if (!was.Reachable && m.Reachable)
            {
                Stats.ReachableAgain();
                ClusterHostLog.ReachableAgain(_logger, m.Name, m.Address);
            }
        }

        // Gone from the view of the same incarnation: removed (a new incarnation starts from nothing).
        if (old.Incarnations == view.Incarnations && view.Phase == NodePhase.Member)
        {
            foreach (var gone in before.Values.Where(m => !m.IsSelf))
            {
                Stats.Removed();
                ClusterHostLog.Removed(_logger, gone.Name, gone.Address);
            }
        }
    }

    private void OnHint(Address address, PeerHintKind kind) =>
        Hint?.Invoke(new PeerHint(ViewMapping.AddressText(address), kind, _time.GetUtcNow()));

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        if (_current is { } incarnation)
        {
            var wasMember = incarnation.IsMember;
            await incarnation.StopAsync(leave: true, StopStepTimeout).ConfigureAwait(false);
            _current = null;
            lock (_viewGate)
            {
                _left = true;
            }

            Publish(_view with { Phase = NodePhase.Stopped, Members = [], IsLeader = false, At = _time.GetUtcNow() });
            if (wasMember)
            {
                ClusterHostLog.Left(_logger);
            }
        }
    }

    /// <summary>
    /// Tests only: ends the current system the way a crash would, without leaving, and starts no
    /// next incarnation (the victim's settings must turn off run-by-actor-system-terminate).
    /// </summary>
    internal async Task CrashForTestsAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (_current is { } incarnation)
        {
            await incarnation.System.Terminate().ConfigureAwait(false);
            _current = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_current is { } incarnation)
        {
            await incarnation.StopAsync(leave: false, StopStepTimeout).ConfigureAwait(false);
        }

        _stopping.Dispose();
        _certificates.Dispose();
    }
}

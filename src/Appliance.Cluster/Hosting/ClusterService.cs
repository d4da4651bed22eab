using Appliance.Cluster.Membership;
using Appliance.Cluster.Replication;
using Appliance.Cluster.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Hosting;

/// <summary>
/// The thin I/O shell around <see cref="ClusterCore"/>: one loop owns the core, feeds it received
/// messages and a tick every few milliseconds, hands what it says to the transport, publishes the
/// view and logs each change once. On stop it leaves gracefully (bounded in time).
/// </summary>
public sealed class ClusterService : IHostedService, IClusterMembership, IStateSyncStatus, IAsyncDisposable
{
    private static readonly TimeSpan TickEvery = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(3);

    private readonly ClusterCore _core;
    // Messages (of at most 500 entries) queued to a peer beyond which transfers wait; with the at
    // most 50 one turn adds, far below the queue's 1,024.
    private const int TransferBacklog = 64;

    private readonly IClusterTransport _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ViewTracker _tracker;
    private readonly LogThrottle _staleLog;
    private readonly long _startedTimestamp;
    private readonly System.Collections.Concurrent.ConcurrentQueue<NodeAddress> _refused = new();
    private Task? _loop;
    private volatile ClusterView _view = ClusterView.NotStarted;
    private volatile bool _leaveRequested;

    public ClusterService(ClusterCore core, IClusterTransport transport, TimeProvider time, ILogger<ClusterService> logger)
    {
        _core = core;
        _transport = transport;
        _time = time;
        _logger = logger;
        _tracker = new ViewTracker(logger, MemberTransitions);
        _staleLog = new LogThrottle(time, TimeSpan.FromSeconds(10));
        _startedTimestamp = time.GetTimestamp();
        transport.Refused += _refused.Enqueue;
    }

    public ClusterView Current => _view;

    /// <summary>Replicated state driven by this loop; null when only membership runs.</summary>
    internal ReplicationDriver? Replication { get; init; }

    /// <summary>
    /// True once replicated state was pulled from a peer, the node formed the cluster alone, or the
    /// wait hit its upper bound; true when nothing is replicated.
    /// </summary>
    public bool IsStateSynced => Replication?.IsSynced ?? true;

    /// <summary>The start-up sync in words, for readiness reasons; null when nothing is replicated.</summary>
    public string? StateSyncText => Replication?.Stats.Status.ToText();

    public event Action<ClusterView>? Changed;

    public TransportStats TransportStats => _transport.Stats;

    /// <summary>Authentic messages dropped because they belong to another incarnation (see <see cref="ClusterCore.CheckIncarnation"/>).</summary>
    public StaleMessageStats StaleMessages { get; } = new();

    /// <summary>Members this node saw become unreachable, recover, go Down or be removed; the highest phi of an Up member.</summary>
    public MemberTransitionStats MemberTransitions { get; } = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _transport.StartAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Asks the node to leave the cluster (the loop carries it out).</summary>
    public void RequestLeave() => _leaveRequested = true;

    private long NowMs => (long)_time.GetElapsedTime(_startedTimestamp).TotalMilliseconds;

    private async Task RunAsync()
    {
        try
        {
            Send(_core.Start(NowMs));
            var nextTick = NowMs;
            while (!_stop.IsCancellationRequested && _core.Phase != NodePhase.Stopped)
            {
                while (_transport.Incoming.TryRead(out var inbound))
                {
                    // Another life of a node (a restart on either side, a downed member still talking):
                    // dropped before membership or replication sees it, and counted.
                    var stale = _core.CheckIncarnation(inbound.Message, inbound.ToUid);
                    if (stale != StaleMessage.Current)
                    {
                        DropStale(inbound, stale);
                        continue;
                    }

                    if (Replication is { } replication && ReplicationDriver.Handles(inbound.Message))
                    {
                        Send(replication.Receive(inbound.Message, NowMs));
                        continue;
                    }

                    Send(_core.Receive(inbound.Message, inbound.ToUid, NowMs));
                }

                if (Replication is { } replicator)
                {
                    Send(replicator.Tick(_core, NowMs, Backlogged));
                }

                while (_refused.TryDequeue(out var refused))
                {
                    _core.PeerRefused(refused);
                }

                if (_leaveRequested)
                {
                    _leaveRequested = false;
                    Send(_core.Leave(NowMs));
                }

                if (NowMs >= nextTick)
                {
                    Send(_core.Tick(NowMs));
                    nextTick = NowMs + (long)TickEvery.TotalMilliseconds;
                    Publish();
                }

                // With replication, wake at least every delta interval: local writes do not wake the loop.
                var wait = Math.Max(1, nextTick - NowMs);
                await WaitForWorkAsync(TimeSpan.FromMilliseconds(Replication is null ? wait : Math.Min(wait, ReplicationDriver.WakeEveryMs))).ConfigureAwait(false);
            }

            if (_core.Phase == NodePhase.Stopped)
            {
                ClusterLog.Left(_logger);
                Publish();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ClusterLog.LoopFailed(_logger, e);
        }
    }

    private async Task WaitForWorkAsync(TimeSpan timeout)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        wait.CancelAfter(timeout);
        try
        {
            await _transport.Incoming.WaitToReadAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the tick is due, or we are stopping
        }
    }

    private void DropStale(InboundMessage inbound, StaleMessage kind)
    {
        StaleMessages.Count(kind);
        var from = inbound.Message.From;
        if (_staleLog.ShouldLog($"{kind} {from.Uid}", out var suppressed))
        {
            ClusterLog.StaleMessage(_logger, inbound.Message.GetType().Name, from.ToString(),
                kind == StaleMessage.ForEarlierIncarnation ? "addressed to an earlier incarnation of this node" : "its sender's incarnation was downed or removed",
                suppressed);
        }
    }

    /// <summary>
    /// A peer's send queue still holds more than <see cref="TransferBacklog"/> messages: repairs and
    /// full syncs to it wait. Without this a sync on a busy machine filled the queue, which then
    /// dropped heartbeats first, and the peers downed each other.
    /// </summary>
    private bool Backlogged(UniqueAddress peer) => _transport is TcpClusterTransport tcp && tcp.PendingTo(peer.Address) > TransferBacklog;

    private void Send(IReadOnlyList<Outgoing> messages)
    {
        foreach (var message in messages)
        {
            _transport.Send(message.To, message.ToUid, message.Message);
        }
    }

    private void Publish()
    {
        var view = ViewTracker.Build(_core, NowMs, _time.GetUtcNow());
        _view = view;
        if (_tracker.Observe(_core, view))
        {
            Changed?.Invoke(view);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null)
        {
            return;
        }

        // Leave gracefully so the others hand over at once instead of waiting for detection.
        RequestLeave();
        var deadline = _time.GetUtcNow() + LeaveTimeout;
        while (_core.Phase == NodePhase.Member && !_loop.IsCompleted && _time.GetUtcNow() < deadline)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        var stats = _transport.Stats;
        ClusterLog.Traffic(_logger, stats.FramesSent, stats.BytesSent, stats.FramesReceived, stats.BytesReceived,
            _time.GetElapsedTime(_startedTimestamp).TotalSeconds, stats.Rejected);
    }

    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}

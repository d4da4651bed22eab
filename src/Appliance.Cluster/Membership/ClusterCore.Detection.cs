using Appliance.Cluster.FailureDetection;
using Appliance.Cluster.Messages;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Membership;

public sealed partial class ClusterCore
{
    private readonly Dictionary<ulong, PhiAccrualFailureDetector> _detectors = [];
    private readonly Dictionary<ulong, long> _firstSeenMs = [];
    private readonly Dictionary<ulong, long?> _refusedSince = [];
    private long _nextHeartbeatMs;
    private long _heartbeatSequence;

    /// <summary>Phi and last heartbeat time of a monitored member, for visibility.</summary>
    public (double Phi, long? LastHeartbeatMs) Suspicion(ulong uid, long nowMs) =>
        _detectors.TryGetValue(uid, out var d) ? (d.Phi(nowMs), d.LastHeartbeatMs) : (0, null);

    /// <summary>
    /// The host at <paramref name="address"/> refused a connection: the member's process is gone
    /// (its host is up but nothing listens). It is unreachable from now until it answers a heartbeat
    /// again, without waiting for phi to rise: a crashed node is detected in a reconnect delay
    /// instead of a heartbeat pause. Loss or delay on the network never refuse, so this adds no
    /// false suspicion under a bad network.
    /// </summary>
    public void PeerRefused(NodeAddress address)
    {
        foreach (var member in OtherMembers())
        {
            if (member.Id.Address == address && member.Status is not (MemberStatus.Down or MemberStatus.Removed))
            {
                _refusedSince[member.Id.Uid] = _detectors.TryGetValue(member.Id.Uid, out var d) ? d.LastHeartbeatMs : null;
            }
        }
    }

    private void ResetDetection()
    {
        _refusedSince.Clear();
        _detectors.Clear();
        _firstSeenMs.Clear();
        _unreachableSince.Clear();
    }

    private void HeartbeatTick(long nowMs)
    {
        if (nowMs < _nextHeartbeatMs)
        {
            return;
        }

        _nextHeartbeatMs = nowMs + (long)_options.FailureDetector.HeartbeatInterval.TotalMilliseconds;
        _heartbeatSequence++;
        foreach (var member in OtherMembers())
        {
            if (member.Status is not (MemberStatus.Down or MemberStatus.Removed))
            {
                Send(member.Id.Address, member.Id.Uid, new Heartbeat(Self, _heartbeatSequence));
            }
        }
    }

    private void OnHeartbeat(Heartbeat heartbeat)
    {
        if (Phase == NodePhase.Member)
        {
            Send(heartbeat.From.Address, heartbeat.From.Uid, new HeartbeatAck(Self, heartbeat.Sequence));
        }
    }

    private void OnHeartbeatAck(HeartbeatAck ack, long nowMs)
    {
        if (Phase != NodePhase.Member || Gossip.Find(ack.From.Uid) is null)
        {
            return;
        }

        if (!_detectors.TryGetValue(ack.From.Uid, out var detector))
        {
            detector = new PhiAccrualFailureDetector(DetectorOptions(_options));
            _detectors[ack.From.Uid] = detector;
        }

        detector.Heartbeat(nowMs);
    }

    /// <summary>Our own reachability rows follow our detectors: phi over the threshold means unreachable.</summary>
    private void UpdateReachability(long nowMs)
    {
        var reachability = Gossip.Reachability;
        foreach (var member in OtherMembers())
        {
            if (member.Status is MemberStatus.Down or MemberStatus.Removed)
            {
                continue;
            }

            bool available;
            if (_refusedSince.TryGetValue(member.Id.Uid, out var lastBeforeRefusal))
            {
                // Refused: unreachable until a heartbeat answer newer than the refusal arrives.
                var last = _detectors.TryGetValue(member.Id.Uid, out var d) ? d.LastHeartbeatMs : null;
                available = last is not null && last != lastBeforeRefusal && d!.IsAvailable(nowMs);
                if (available)
                {
                    _refusedSince.Remove(member.Id.Uid);
                }
            }
            else if (_detectors.TryGetValue(member.Id.Uid, out var detector))
            {
                available = detector.IsAvailable(nowMs);
            }
            else
            {
                // Never heard from it: a joiner answers heartbeats only once welcomed, so give it the
                // first-response grace before suspecting it (Akka's expected-response-after).
                var firstSeen = _firstSeenMs.TryGetValue(member.Id.Uid, out var seen) ? seen : _firstSeenMs[member.Id.Uid] = nowMs;
                available = nowMs - firstSeen < _options.FirstResponseTimeout.TotalMilliseconds;
            }

            reachability = available
                ? reachability.Reachable(Self.Uid, member.Id.Uid)
                : reachability.Unreachable(Self.Uid, member.Id.Uid);
        }

        if (!ReferenceEquals(reachability, Gossip.Reachability))
        {
            ChangeGossip(Gossip with { Reachability = reachability });
        }

        foreach (var uid in _detectors.Keys.Concat(_firstSeenMs.Keys).Concat(_refusedSince.Keys).ToList())
        {
            if (Gossip.Find(uid) is null)
            {
                _detectors.Remove(uid);
                _firstSeenMs.Remove(uid);
                _refusedSince.Remove(uid);
            }
        }
    }
}

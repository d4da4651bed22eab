using Appliance.Cluster.FailureDetection;
using Appliance.Cluster.Messages;

namespace Appliance.Cluster.Membership;

public sealed partial class ClusterCore
{
    private readonly Dictionary<ulong, PhiAccrualFailureDetector> _detectors = [];
    private readonly Dictionary<ulong, long> _firstSeenMs = [];
    private long _nextHeartbeatMs;
    private long _heartbeatSequence;

    /// <summary>Phi and last heartbeat time of a monitored member, for visibility.</summary>
    public (double Phi, long? LastHeartbeatMs) Suspicion(ulong uid, long nowMs) =>
        _detectors.TryGetValue(uid, out var d) ? (d.Phi(nowMs), d.LastHeartbeatMs) : (0, null);

    private void ResetDetection()
    {
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
            if (_detectors.TryGetValue(member.Id.Uid, out var detector))
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

        foreach (var uid in _detectors.Keys.Concat(_firstSeenMs.Keys).ToList())
        {
            if (Gossip.Find(uid) is null)
            {
                _detectors.Remove(uid);
                _firstSeenMs.Remove(uid);
            }
        }
    }
}

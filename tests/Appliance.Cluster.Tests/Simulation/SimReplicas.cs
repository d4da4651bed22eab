using Appliance.Cluster.Membership;
using Appliance.Cluster.Replication;
using Appliance.Cluster.Replication.Messages;
using Appliance.Cluster.Wire;

namespace Appliance.Tests.Simulation;

/// <summary>
/// Replicators of several nodes on a <see cref="SimNetwork"/> with simulated time in 5 ms steps.
/// Membership is given, not simulated: every running node sees the others as Up peers.
/// </summary>
internal sealed class SimReplicas
{
    public const int StepMs = 5;
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<NodeAddress, SimReplica> _nodes = [];
    private readonly HashSet<ulong> _down = [];
    private readonly ReplicationOptions _replication;
    private readonly ReplicatorOptions _options;
    private ulong _nextUid = 1;

    public SimReplicas(int seed, ReplicationOptions? replication = null, ReplicatorOptions? options = null)
    {
        Network = new SimNetwork(seed);
        _replication = replication ?? new ReplicationOptions { ShardCount = 8 };
        _options = options ?? new ReplicatorOptions { DigestIntervalMs = 100, MaxEntriesPerMessage = 200, DigestSettle = TimeSpan.FromMilliseconds(100) };
    }

    public SimNetwork Network { get; }

    public long NowMs { get; private set; }

    public DateTimeOffset Now => Epoch.AddMilliseconds(NowMs);

    public List<SimReplica> Running => [.. _nodes.Values.Where(n => !n.Crashed)];

    public SimReplica Start(string host)
    {
        var id = new UniqueAddress(new NodeAddress(host, 7946), _nextUid++);
        var time = new SimTime(this);
        var sessions = new ReplicatedSessionStore(new HlcSource(id.Uid), _replication, time);
        var counts = new ReplicatedConnectionCounts(id.Uid);
        var node = new SimReplica(id, sessions, counts, new Replicator(id, sessions, counts, _options));
        _nodes[id.Address] = node;
        return node;
    }

    /// <summary>The node vanishes; the survivors' membership declares it Down.</summary>
    public void Crash(SimReplica node)
    {
        node.Crashed = true;
        _down.Add(node.Id.Uid);
    }

    /// <summary>Entries in every replica message sent so far: when, by whom, of which kind.</summary>
    public List<(long AtMs, NodeAddress From, int Entries, ReplicaDataKind Kind)> Sent { get; } = [];

    public void Run(int ms, Action<long>? each = null)
    {
        for (var end = NowMs + ms; NowMs < end; NowMs += StepMs)
        {
            var running = Running;
            foreach (var node in running)
            {
                node.Replicator.SetMembers(node.Id, isMember: true, running.Select(n => n.Id), _down);
                Send(node, node.Replicator.Tick(NowMs));
            }

            foreach (var (to, uid, message) in Network.Due(NowMs).ToList())
            {
                if (_nodes.TryGetValue(to, out var node) && !node.Crashed && node.Id.Uid == uid)
                {
                    Send(node, node.Replicator.Receive(message, NowMs));
                }
            }

            each?.Invoke(NowMs);
        }
    }

    private void Send(SimReplica from, IReadOnlyList<Outgoing> outgoing)
    {
        foreach (var message in outgoing)
        {
            // Through the real codec, so every message the replicator makes must survive the wire.
            Assert.True(WireCodec.TryDecode(WireCodec.Encode(message.Message), out var decoded, out var error), error);
            Network.Send(from.Id.Address, message with { Message = decoded }, NowMs);
            if (decoded is ReplicaData data)
            {
                Sent.Add((NowMs, from.Id.Address, data.Sessions.Sum(x => x.Entries.Count), data.Kind));
            }
        }
    }

    private sealed class SimTime(SimReplicas owner) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => owner.Now;
    }
}

/// <summary>One simulated node's replicated tables and its replicator.</summary>
internal sealed record SimReplica(UniqueAddress Id, ReplicatedSessionStore Sessions, ReplicatedConnectionCounts Counts, Replicator Replicator)
{
    public bool Crashed { get; set; }
}

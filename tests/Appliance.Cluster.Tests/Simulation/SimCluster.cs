using Appliance.Cluster.Membership;
using Appliance.Core.Membership;

namespace Appliance.Tests.Simulation;

/// <summary>
/// Several <see cref="ClusterCore"/> nodes on a <see cref="SimNetwork"/> with a simulated clock
/// advancing in 10 ms steps. Nodes can crash (vanish), restart (a new incarnation at the same
/// address) and be partitioned.
/// </summary>
internal sealed class SimCluster
{
    public const int StepMs = 10;

    private readonly Dictionary<NodeAddress, ClusterCore> _nodes = [];
    private readonly HashSet<NodeAddress> _crashed = [];
    private readonly List<NodeAddress> _seeds;
    private readonly MembershipOptions _options;

    public SimCluster(int nodes, int seed, MembershipOptions? options = null, int? seedCount = null)
    {
        Network = new SimNetwork(seed);
        _options = options ?? new MembershipOptions();
        Addresses = Enumerable.Range(1, nodes).Select(i => new NodeAddress($"n{i}", 7946)).ToList();
        _seeds = Addresses.Take(seedCount ?? nodes).ToList();
    }

    public SimNetwork Network { get; }

    public long NowMs { get; private set; }

    public IReadOnlyList<NodeAddress> Addresses { get; }

    public ClusterCore this[int index] => _nodes[Addresses[index]];

    public ClusterCore Node(NodeAddress address) => _nodes[address];

    public IEnumerable<ClusterCore> Running => _nodes.Where(n => !_crashed.Contains(n.Key)).Select(n => n.Value);

    /// <summary>Starts nodes (all by default), each after the previous by <paramref name="staggerMs"/>.</summary>
    public void Start(IEnumerable<int>? which = null, int staggerMs = 0)
    {
        foreach (var i in which ?? Enumerable.Range(0, Addresses.Count))
        {
            var address = Addresses[i];
            _crashed.Remove(address);
            var node = new ClusterCore(address, $"node-{i + 1}", _seeds, _options, new Random(Network.Random.Next()));
            _nodes[address] = node;
            Dispatch(node, node.Start(NowMs));
            if (staggerMs > 0)
            {
                RunFor(staggerMs);
            }
        }
    }

    /// <summary>The node vanishes: no ticks, its messages in flight still arrive, messages to it are lost.</summary>
    public void Crash(int index) => _crashed.Add(Addresses[index]);

    public void Restart(int index) => Start([index]);

    public void RunFor(long ms, Action? afterStep = null)
    {
        var until = NowMs + ms;
        while (NowMs < until)
        {
            NowMs += StepMs;
            foreach (var (to, toUid, message) in Network.Due(NowMs).ToList())
            {
                if (!_crashed.Contains(to) && _nodes.TryGetValue(to, out var node))
                {
                    Dispatch(node, node.Receive(message, toUid, NowMs));
                }
            }

            foreach (var node in Running.ToList())
            {
                Dispatch(node, node.Tick(NowMs));
            }

            afterStep?.Invoke();
        }
    }

    /// <summary>Runs until <paramref name="condition"/> holds; returns the simulated ms it took, or fails after <paramref name="limitMs"/>.</summary>
    public long RunUntil(Func<bool> condition, long limitMs, string what)
    {
        var start = NowMs;
        while (!condition())
        {
            Assert.True(NowMs - start < limitMs, $"{what}: not reached within {limitMs} ms of simulated time (seed run). {Describe()}");
            RunFor(StepMs);
        }

        return NowMs - start;
    }

    /// <summary>All running nodes agree: the same live members, all Up, as <paramref name="expected"/> addresses.</summary>
    public bool Converged(int expected) => Running.All(n =>
        n.Phase == NodePhase.Member
        && n.Gossip.Members.Count == expected
        && n.Gossip.Members.Values.All(m => m.Status == MemberStatus.Up)
        && n.Gossip.Members.Keys.SequenceEqual(Running.First().Gossip.Members.Keys));

    public string Describe() => string.Join(" | ", _nodes.Select(n =>
        $"{n.Key}{(_crashed.Contains(n.Key) ? "(crashed)" : "")} {n.Value.Phase}: " +
        string.Join(",", n.Value.Gossip.Members.Values.Select(m =>
            $"{m.Id.Address.Host}#{m.Id.Uid % 1000}={m.Status}{(n.Value.Gossip.Reachability.IsReachable(m.Id.Uid) ? "" : "!")}"))));

    private void Dispatch(ClusterCore from, IReadOnlyList<Outgoing> messages)
    {
        foreach (var message in messages)
        {
            Network.Send(from.Self.Address, message, NowMs);
        }
    }
}

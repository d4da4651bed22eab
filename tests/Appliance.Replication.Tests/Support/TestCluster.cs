using Akka.Cluster;

namespace Appliance.Replication.Tests.Support;

/// <summary>A few <see cref="ReplicaNode"/>s formed into one cluster on loopback.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(List<ReplicaNode> nodes) => Nodes = nodes;

    public List<ReplicaNode> Nodes { get; }

    public ReplicaNode this[int i] => Nodes[i];

    /// <summary>Starts <paramref name="count"/> nodes, the first forming the cluster, and waits until every node sees all Up.</summary>
    public static async Task<TestCluster> StartAsync(int count)
    {
        var nodes = new List<ReplicaNode> { ReplicaNode.Start("n1", null) };
        var cluster = new TestCluster(nodes);
        for (var i = 1; i < count; i++)
        {
            nodes.Add(ReplicaNode.Start($"n{i + 1}", nodes[0].Address));
        }

        await cluster.WaitUpAsync(count);
        return cluster;
    }

    public ReplicaNode Add(string name)
    {
        var node = ReplicaNode.Start(name, Nodes[0].Address);
        Nodes.Add(node);
        return node;
    }

    /// <summary>Every node sees <paramref name="count"/> members Up.</summary>
    public Task WaitUpAsync(int count) =>
        Eventually.AssertAsync(
            () => Nodes.All(n => n.Cluster.State.Members.Count(m => m.Status == MemberStatus.Up) == count),
            TimeSpan.FromSeconds(30),
            $"{count} members Up on every node");

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(Nodes))
        {
            await node.DisposeAsync();
        }
    }
}

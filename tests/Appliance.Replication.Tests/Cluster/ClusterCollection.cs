namespace Appliance.Replication.Tests.Cluster;

/// <summary>The cluster tests run one at a time: each forms a cluster of its own, and the machine's cores are few.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "Akka clusters";
}

namespace Appliance.Tests.ClusterFaults;

/// <summary>The cluster fault tests run one at a time: each starts three daemons in namespaces and times failovers.</summary>
[CollectionDefinition(nameof(ClusterFaultCollection), DisableParallelization = true)]
public sealed class ClusterFaultCollection;

using Appliance.Cluster.Messages;

namespace Appliance.Cluster.Membership;

/// <summary>A message the state machine wants sent; the runner hands it to the transport.</summary>
public sealed record Outgoing(NodeAddress To, ulong ToUid, ClusterMessage Message);

using Akka.Actor;
using Akka.Configuration;
using Appliance.Cluster.Hosting;
using Appliance.Replication.Gauges;
using Appliance.Replication.Sync;
using Appliance.Replication.Wire;

namespace Appliance.Replication.Hosting;

/// <summary>Starts the gauge actor (and with it Akka.DistributedData's replicator) on each incarnation's ActorSystem.</summary>
internal sealed class GaugesParticipant(ReplicatedConnectionCounts counts, ReplicationStats stats) : IClusterParticipant
{
    /// <summary>How often this node's gauges are published at most.</summary>
    public static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);
    private readonly Dictionary<ActorSystem, IActorRef> _actors = [];
    private readonly Lock _lock = new();

    /// <summary>
    /// The serializer, and DData told to hand changes to subscribers every 100 ms (its default,
    /// 500 ms, would leave least-connections half a second behind).
    /// </summary>
    public Config Settings { get; } = ConfigurationFactory.ParseString("""
        akka.cluster.distributed-data.notify-subscribers-interval = 100ms
        """).WithFallback(ReplicationSerializer.Settings);

    public void Start(ActorSystem system)
    {
        var actor = system.ActorOf(GaugesActor.Props(counts, stats, PublishEvery), GaugesActor.Name);
        lock (_lock)
        {
            _actors[system] = actor;
        }
    }

    public Task StopAsync(ActorSystem system, CancellationToken cancellationToken) =>
        SessionsParticipant.StopActor(_actors, _lock, system, StopTimeout, cancellationToken);
}

using Akka.Actor;
using Akka.Configuration;
using Appliance.Cluster.Hosting;
using Appliance.Replication.Sessions;
using Appliance.Replication.Sync;
using Appliance.Replication.Wire;
using Microsoft.Extensions.Logging;

namespace Appliance.Replication.Hosting;

/// <summary>
/// Starts the session actor on each incarnation's ActorSystem and stops it before the system
/// ends; the table, the sync state and the counters it works on belong to the node.
/// </summary>
internal sealed class SessionsParticipant(
    ReplicatedSessionStore store, SyncState sync, ReplicationStats stats, SessionReplicationOptions options, TimeProvider time, ILogger logger)
    : IClusterParticipant
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);
    private readonly Dictionary<ActorSystem, IActorRef> _actors = [];
    private readonly Lock _lock = new();

    public Config Settings => ReplicationSerializer.Settings;

    public void Start(ActorSystem system)
    {
        var actor = system.ActorOf(SessionsActor.Props(store, sync, stats, options, time, logger), SessionsActor.Name);
        lock (_lock)
        {
            _actors[system] = actor;
        }
    }

    public Task StopAsync(ActorSystem system, CancellationToken cancellationToken) => StopActor(_actors, _lock, system, StopTimeout, cancellationToken);

    /// <summary>Stops the participant's actor on <paramref name="system"/>, within the timeout; a system already ending is fine.</summary>
    internal static async Task StopActor(Dictionary<ActorSystem, IActorRef> actors, Lock gate, ActorSystem system, TimeSpan timeout, CancellationToken cancellationToken)
    {
        IActorRef? actor;
        lock (gate)
        {
            if (!actors.Remove(system, out actor))
            {
                return;
            }
        }

        try
        {
            await actor.GracefulStop(timeout).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or OperationCanceledException)
        {
            // The system ends right after and takes the actor with it.
        }
    }
}

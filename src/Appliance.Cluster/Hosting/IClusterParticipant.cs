using Akka.Actor;
using Akka.Configuration;

namespace Appliance.Cluster.Hosting;

/// <summary>
/// A part of the node that lives on the cluster's ActorSystem (the replicated stores). The
/// cluster starts a fresh ActorSystem for each incarnation of this node: at start, and again
/// when the node was downed while it lived on, or when Akka.Remote ended the old system (a failed
/// TLS handshake on a dial). Every participant is started on each new system before that system
/// joins, and stopped before it ends, so what must outlive an incarnation (the session table, this
/// node's own gauges) lives outside the actors a participant starts.
/// </summary>
public interface IClusterParticipant
{
    /// <summary>
    /// Settings this participant needs in every system it is started on (its serializers and their
    /// bindings), merged into the configuration the cluster builds. <see cref="Config.Empty"/> for none.
    /// </summary>
    Config Settings { get; }

    /// <summary>Starts this participant's actors on <paramref name="system"/>, before it joins the cluster.</summary>
    void Start(ActorSystem system);

    /// <summary>Stops them; the system ends right after. Bounded by <paramref name="cancellationToken"/>.</summary>
    Task StopAsync(ActorSystem system, CancellationToken cancellationToken);
}

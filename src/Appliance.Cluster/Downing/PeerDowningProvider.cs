using Akka.Actor;
using Akka.Configuration;
using Appliance.Cluster.Settings;

namespace Appliance.Cluster.Downing;

/// <summary>
/// Akka's hook for downing (<c>akka.cluster.downing-provider-class</c>): starts a
/// <see cref="DowningActor"/> under the cluster daemon with the times of the <c>appliance.downing</c>
/// section that <see cref="ClusterHocon"/> writes.
/// </summary>
public sealed class PeerDowningProvider : Akka.Cluster.IDowningProvider
{
    private readonly TimeSpan _downAfter;
    private readonly TimeSpan _refusedFor;

    public PeerDowningProvider(ActorSystem system)
    {
        var config = system.Settings.Config.GetConfig(ClusterHocon.DowningPath) ?? Config.Empty;
        _downAfter = config.GetTimeSpan("down-after", TimeSpan.FromSeconds(30), allowInfinite: false);
        _refusedFor = config.GetTimeSpan("refused-for", ClusterHocon.RefusedFor, allowInfinite: false);
    }

    // Akka looks for this constructor first.
    public PeerDowningProvider(ActorSystem system, Akka.Cluster.Cluster cluster)
        : this(system)
    {
    }

    /// <summary>No shards or singletons run here; nothing waits for a margin.</summary>
    public TimeSpan DownRemovalMargin => TimeSpan.Zero;

    public Props DowningActorProps => Props.Create(() => new DowningActor(_downAfter, _refusedFor));
}

using Appliance.Cluster.Hosting;
using Appliance.Cluster.Settings;
using Appliance.Core.Configuration;
using Appliance.Core.Membership;
using Appliance.Core.Security;
using Appliance.Replication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Node.Hosting;

/// <summary>Builds the cluster membership from the <c>Cluster</c> section and registers it with the host.</summary>
internal static class ClusterComposition
{
    /// <summary>
    /// Registers membership (<see cref="ClusterHost"/> on Akka.Cluster) and replication
    /// (Appliance.Replication: the sticky-session table, the cluster-wide connection counts and the
    /// start-up sync). Call it before the proxy registers its single-node stores, which are added
    /// with TryAdd and so give way to the replicated ones. <paramref name="demoKey"/> replaces the key
    /// file for <c>applianced demo</c>, which must need no files; operators always configure a file.
    /// </summary>
    public static void AddCluster(IServiceCollection services, ApplianceConfig config, ClusterKey? demoKey = null)
    {
        if (config.Cluster is not { } options)
        {
            return;
        }

        var key = demoKey;
        if (key is null && !ClusterKey.TryLoad(options.KeyFile, out key, out var keyError))
        {
            throw new ConfigRejectedException([new ConfigError("$.Cluster.KeyFile", keyError)]);
        }

        var settings = ClusterSettings.From(options, config.Node.Name);

        // The stores are node singletons that outlive each incarnation; their actors are the
        // IClusterParticipants the host starts on every new ActorSystem before it joins.
        services.AddReplication(options, config.Node.Name);
        services.AddSingleton(Appliance.Proxy.SessionAffinity.StickyHint.FromClusterKey(key.Span)); // every node reads every node's cookie hints
        services.AddSingleton(sp => new ClusterHost(
            settings,
            key,
            sp.GetServices<IClusterParticipant>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IClusterMembership>(sp => sp.GetRequiredService<ClusterHost>());
        services.AddSingleton<IClusterPeerHints>(sp => sp.GetRequiredService<ClusterHost>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterHost>());
    }
}

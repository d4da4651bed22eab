using Appliance.Cluster.Hosting;
using Appliance.Core.Configuration;
using Appliance.Core.Membership;
using Appliance.Core.State;
using Appliance.Replication.Gauges;
using Appliance.Replication.Hosting;
using Appliance.Replication.Sessions;
using Appliance.Replication.Snapshot;
using Appliance.Replication.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Replication;

/// <summary>How the node wires replication in (docs/architecture.md, "Appliance.Replication").</summary>
public static class ReplicationServiceCollectionExtensions
{
    /// <summary>
    /// Registers the replicated session table (<see cref="ISessionStore"/>), the cluster-wide
    /// connection counts (<see cref="IConnectionCounts"/>), this node's start-up sync
    /// (<see cref="IStateSyncStatus"/>, <see cref="SyncState"/>), <see cref="ReplicationInfo"/> for
    /// metrics and the admin API, and the two <see cref="IClusterParticipant"/>s that the cluster
    /// host starts on each incarnation's ActorSystem. Call it before the proxy registers its
    /// single-node stores (they are added with TryAdd).
    /// </summary>
    public static IServiceCollection AddReplication(this IServiceCollection services, NodeClusterOptions options, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new SessionTableOptions());
        services.AddSingleton(new SessionReplicationOptions());
        services.AddSingleton(sp => new ReplicatedSessionStore(new HlcSource(HlcNode.NewId()), sp.GetRequiredService<SessionTableOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ReplicatedConnectionCounts>();
        services.AddSingleton<SyncState>();
        services.AddSingleton<ReplicationStats>();
        services.AddSingleton(sp => new ReplicationInfo(
            sp.GetRequiredService<ReplicatedSessionStore>(), sp.GetRequiredService<ReplicatedConnectionCounts>(), sp.GetRequiredService<SyncState>(), sp.GetRequiredService<ReplicationStats>()));
        services.AddSingleton<ISessionStore>(sp => sp.GetRequiredService<ReplicatedSessionStore>());
        services.AddSingleton<IConnectionCounts>(sp => sp.GetRequiredService<ReplicatedConnectionCounts>());
        services.AddSingleton<IStateSyncStatus>(sp => sp.GetRequiredService<SyncState>());
        services.AddSingleton<IClusterParticipant>(sp => new SessionsParticipant(
            sp.GetRequiredService<ReplicatedSessionStore>(),
            sp.GetRequiredService<SyncState>(),
            sp.GetRequiredService<ReplicationStats>(),
            sp.GetRequiredService<SessionReplicationOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            Logger(sp, nodeName)));
        if (!string.IsNullOrEmpty(options.SessionSnapshotFile))
        {
            // Before the cluster host and the proxy: it loads before they start and writes after they stop.
            var file = options.SessionSnapshotFile;
            services.AddHostedService(sp => new SessionSnapshotService(
                sp.GetRequiredService<ReplicatedSessionStore>(), file, options.SessionSnapshotInterval, sp.GetRequiredService<TimeProvider>(), Logger(sp, nodeName)));
        }

        services.AddSingleton<IClusterParticipant>(sp => new GaugesParticipant(sp.GetRequiredService<ReplicatedConnectionCounts>(), sp.GetRequiredService<ReplicationStats>()));
        return services;
    }

    private static ILogger Logger(IServiceProvider sp, string nodeName) =>
        (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Appliance.Replication");
}

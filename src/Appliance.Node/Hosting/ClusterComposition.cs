using Appliance.Core.Security;
using Appliance.Cluster.FailureDetection;
using Appliance.Cluster.Hosting;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Replication;
using Appliance.Cluster.Transport;
using Appliance.Core.Configuration;
using Appliance.Core.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Appliance.Core.Membership;

namespace Appliance.Node.Hosting;

/// <summary>Builds the cluster membership from the <c>Cluster</c> section and registers it with the host.</summary>
internal static class ClusterComposition
{
    /// <summary>
    /// Registers membership and replication. <paramref name="demoKey"/> replaces the key file for
    /// <c>applianced demo</c>, which must need no files; operators always configure a file.
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

        var bind = ToNodeAddress(options.BindAddress);
        var advertise = options.AdvertiseAddress is { } a ? ToNodeAddress(a) : bind;
        var seeds = options.Seeds.Select(ToNodeAddress).ToList();
        var membership = new MembershipOptions
        {
            FailureDetector = new FailureDetectorOptions
            {
                HeartbeatInterval = options.HeartbeatInterval,
                Threshold = options.PhiThreshold,
                AcceptableHeartbeatPause = options.AcceptableHeartbeatPause,
                MinStdDeviation = options.MinStdDeviation,
            },
            GossipInterval = options.GossipInterval,
            DownAfter = options.DownAfter,
            SeedJoinTimeout = options.SeedJoinTimeout,
        };

        // Registered before the proxy, whose TryAdd then keeps these replicated stores.
        services.AddSingleton(_ => new ClusterCore(advertise, config.Node.Name, seeds, membership, new Random()));
        services.AddSingleton(sp => new HlcSource(sp.GetRequiredService<ClusterCore>().Self.Uid));
        services.AddSingleton(sp => new ReplicatedSessionStore(sp.GetRequiredService<HlcSource>(), new ReplicationOptions(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ReplicatedConnectionCounts(sp.GetRequiredService<ClusterCore>().Self.Uid));
        services.AddSingleton<ISessionStore>(sp => sp.GetRequiredService<ReplicatedSessionStore>());
        services.AddSingleton<IConnectionCounts>(sp => sp.GetRequiredService<ReplicatedConnectionCounts>());
        services.AddSingleton(Appliance.Proxy.SessionAffinity.StickyHint.FromClusterKey(key.Span)); // every node reads every node's cookie hints
        services.AddSingleton(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            var transport = new TcpClusterTransport(bind, key, new TcpTransportOptions { MaxFrameSize = options.MaxFrameSize }, time,
                loggers.CreateLogger("Appliance.Cluster.Transport"));
            var core = sp.GetRequiredService<ClusterCore>();
            var sessions = sp.GetRequiredService<ReplicatedSessionStore>();
            var replicator = new Replicator(core.Self, sessions, sp.GetRequiredService<ReplicatedConnectionCounts>(), new ReplicatorOptions());
            Appliance.Cluster.Hosting.ClusterLog.Starting(loggers.CreateLogger("Appliance.Cluster"), core.Self.ToString(), bind.ToString(), string.Join(", ", seeds));
            return new ClusterService(core, transport, time, loggers.CreateLogger<ClusterService>())
            {
                Replication = new ReplicationDriver(replicator, sessions, time, loggers.CreateLogger("Appliance.Cluster.Replication")),
            };
        });
        services.AddSingleton<IClusterMembership>(sp => sp.GetRequiredService<ClusterService>());
        services.AddSingleton<IStateSyncStatus>(sp => sp.GetRequiredService<ClusterService>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterService>());
    }

    private static NodeAddress ToNodeAddress(string text)
    {
        if (!EndpointParser.TryParseEndpoint(text, out var host, out var port))
        {
            throw new FormatException($"'{text}' is not host:port; validation should have refused it.");
        }

        return new NodeAddress(host == EndpointParser.AnyHost ? "0.0.0.0" : host, port);
    }
}

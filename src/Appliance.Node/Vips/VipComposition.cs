using Appliance.Core.Security;
using Appliance.Core.Configuration;
using Appliance.Proxy.Tcp;
using Appliance.Vip.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy;
using Appliance.Core.Membership;

namespace Appliance.Node.Vips;

/// <summary>Registers the VIP service (with pool tracking and, in a cluster, the advert channel's key).</summary>
internal static class VipComposition
{
    /// <summary>Call after the cluster is registered, so on shutdown the VIPs are handed over before the node leaves.</summary>
    public static void AddVips(IServiceCollection services, ApplianceConfig config)
    {
        if (config.Vips.Count == 0)
        {
            return;
        }

        services.AddSingleton(sp => new VipService(
            config,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<VipService>>(),
            sp.GetService<IClusterMembership>(),
            AdvertKey(config),
            new PoolHealth(sp.GetService<IProxyStateLookup>(), sp.GetService<TcpPoolRegistry>(), sp.GetRequiredService<TimeProvider>()),
            sp.GetService<IStateSyncStatus>()));
        services.AddHostedService(sp => sp.GetRequiredService<VipService>());
    }

    /// <summary>The advert channel's own key from the cluster key file; null without a cluster (a single node sends no adverts).</summary>
    private static byte[]? AdvertKey(ApplianceConfig config) =>
        config.Cluster is { } cluster && ClusterKey.TryLoad(cluster.KeyFile, out var key, out _) ? key.Derive("vip-adverts") : null;
}

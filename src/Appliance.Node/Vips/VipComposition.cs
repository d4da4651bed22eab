using Appliance.Cluster.Hosting;
using Appliance.Core.Configuration;
using Appliance.Proxy.Tcp;
using Appliance.Vip.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy;
using Appliance.Core.Membership;

namespace Appliance.Node.Vips;

/// <summary>Registers the VIP service (with pool tracking and, in a cluster, the advert exchange).</summary>
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
            sp.GetService<ClusterService>()?.VipAdverts is { } exchange ? new ClusterVipAdverts(exchange, sp.GetRequiredService<IClusterMembership>()) : null,
            new PoolHealth(sp.GetService<IProxyStateLookup>(), sp.GetService<TcpPoolRegistry>(), sp.GetRequiredService<TimeProvider>()),
            sp.GetService<IStateSyncStatus>()));
        services.AddHostedService(sp => sp.GetRequiredService<VipService>());
    }
}

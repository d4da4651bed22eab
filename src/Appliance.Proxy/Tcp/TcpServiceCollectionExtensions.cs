using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Proxy.Tcp;

/// <summary>Registers the TCP (layer 4) data plane's runners.</summary>
public static class TcpServiceCollectionExtensions
{
    /// <summary>
    /// Adds the TCP listeners and active health checks as hosted services. Their live state
    /// (pools, backends) is registered by <see cref="ProxyServiceCollectionExtensions.AddApplianceProxy"/>,
    /// which applies it together with the rest of each configuration.
    /// </summary>
    public static IServiceCollection AddApplianceTcp(this IServiceCollection services)
    {
        services.AddSingleton<TcpServices>();
        services.AddSingleton<TcpListenerManager>();
        services.AddHostedService(sp => sp.GetRequiredService<TcpListenerManager>());
        services.AddHostedService<TcpHealthMonitor>();
        return services;
    }
}

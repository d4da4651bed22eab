using Appliance.Core.State;
using Appliance.Proxy.Edge;
using Appliance.Proxy.Health;
using Appliance.Proxy.Model;
using Appliance.Proxy.SessionAffinity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.SessionAffinity;

namespace Appliance.Proxy;

/// <summary>Registers the data plane: YARP with our policies, the live backend state, and the state stores.</summary>
public static class ProxyServiceCollectionExtensions
{
    /// <summary>
    /// Adds the HTTP data plane. <see cref="ISessionStore"/> and <see cref="IConnectionCounts"/> get
    /// single-node implementations unless the caller registered others first (the cluster does).
    /// </summary>
    public static IServiceCollection AddApplianceProxy(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISessionStore>(_ => new InMemorySessionStore());
        services.TryAddSingleton(_ => SessionAffinity.StickyHint.Random()); // a cluster registers its shared one first
        services.TryAddSingleton<IConnectionCounts, LocalConnectionCounts>();
        services.AddSingleton<ConfigStore>();
        services.AddSingleton<BackendRegistry>();
        services.AddSingleton<Tcp.TcpPoolRegistry>();
        services.AddSingleton<CertificateStore>();
        services.AddSingleton<ListenerConnections>();
        services.AddSingleton<ApplianceProxyConfigProvider>();
        services.AddSingleton<IProxyConfigProvider>(sp => sp.GetRequiredService<ApplianceProxyConfigProvider>());
        services.AddSingleton<ProxyConfigurator>();
        services.AddSingleton<Logging.AccessLogSink>();
        services.AddSingleton<RateLimiting.RateLimitRejections>();
        services.AddSingleton<Forwarding.BackendConnectionPools>();
        services.AddSingleton<Forwarding.ForwarderStats>();
        services.AddAllowedHostsFiltering();

        // A route's CorsPolicy ("disable", "default", as in YARP's config sample) needs ASP.NET's CORS
        // services and middleware; without them such a route answers every request with 500.
        services.AddCors();

        services.AddReverseProxy();
        services.AddSingleton<ISessionAffinityPolicy, ApplianceCookieAffinityPolicy>();
        services.AddSingleton<IActiveHealthCheckPolicy, RiseFallHealthPolicy>();
        services.AddSingleton<IPassiveHealthCheckPolicy, AppliancePassiveHealthPolicy>();
        return services;
    }
}

using Appliance.Proxy.Edge;
using Appliance.Proxy.Logging;
using Appliance.Proxy.Pipeline;
using Appliance.Proxy.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using System.Net;

namespace Appliance.Proxy;

/// <summary>Builds the request pipeline, in the order a request meets it.</summary>
public static class ProxyApplicationExtensions
{
    /// <summary>
    /// Host filtering (AllowedHosts), edge checks, untrusted client-address headers removed, trusted forwarded headers, the access
    /// log, CORS (a route's CorsPolicy), then per route: declared body size, rate limit, admin states, sticky sessions, balancing
    /// (with queue and retry), passive health, forward (our HTTP/1.1 forwarder, else YARP's).
    /// </summary>
    public static WebApplication UseApplianceProxy(this WebApplication app)
    {
        var config = app.Services.GetRequiredService<ConfigStore>().Current;
        app.UseHostFiltering(); // AllowedHosts; lets every host through when none are named
        app.UseMiddleware<SmugglingGuardMiddleware>();
        app.UseMiddleware<UntrustedForwardingHeadersMiddleware>(Tcp.TrustedNetworks.From(config.ForwardedHeaders.TrustedProxies));
        if (config.ForwardedHeaders.TrustedProxies.Count > 0)
        {
            app.UseForwardedHeaders(ForwardedOptions(config.ForwardedHeaders.TrustedProxies));
        }

        app.UseMiddleware<AccessLogMiddleware>();
        app.UseCors(); // routes' CorsPolicy; passes requests without an Origin header straight on
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<DeclaredBodyLimitMiddleware>();
            proxy.UseMiddleware<RateLimitMiddleware>();
            proxy.UseMiddleware<AdminStateFilterMiddleware>();
            proxy.UseSessionAffinity();
            proxy.UseMiddleware<BalancerMiddleware>();
            proxy.UsePassiveHealthChecks();
            proxy.UseMiddleware<Forwarding.DirectForwarderMiddleware>(); // plain HTTP/1.1; the rest falls through to YARP's forwarder
        });
        return app;
    }

    /// <summary>
    /// Only listed proxies may speak for a client. With none listed, every incoming X-Forwarded-*
    /// is ignored and YARP writes fresh ones from the connection (replaced, never appended).
    /// </summary>
    private static ForwardedHeadersOptions ForwardedOptions(IReadOnlyList<string> trusted)
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // the obsolete list is still consulted and holds loopback by default
        options.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
        foreach (var entry in trusted)
        {
            if (entry.Contains('/', StringComparison.Ordinal))
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
            }
            else
            {
                options.KnownProxies.Add(IPAddress.Parse(entry));
            }
        }

        return options;
    }
}

using System.Net;
using Appliance.Core.Configuration;
using Appliance.Management.Api;
using Appliance.Management.Dashboard;
using Appliance.Management.Logging;
using Appliance.Management.Metrics;
using Appliance.Management.Security;
using Appliance.Management.Sources;
using Appliance.Management.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Management;

/// <summary>
/// The admin listener: a web host of its own in the node's process, so the data plane's catch-all
/// routes never see admin requests and admin endpoints never answer on client ports. Serves the
/// JSON API under <c>/api/v1</c>, Prometheus text at <c>/metrics</c> and the dashboard at <c>/</c>.
/// </summary>
public static class AdminHost
{
    /// <summary>Largest request body accepted (a configuration file to validate).</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    /// <summary>
    /// Builds the admin host. <paramref name="addSources"/> registers the node's adapters
    /// (<see cref="INodeStatusSource"/>, <see cref="IBackendAdmin"/> for HTTP clusters and, keyed
    /// <c>"tcp"</c>, another for TCP pools, <see cref="ISessionLookup"/>,
    /// <see cref="IConfigActions"/>, any number of <see cref="IMetricsSource"/>, and optionally
    /// <see cref="IClusterView"/> and <see cref="IVipView"/>, which default to "not configured").
    /// </summary>
    public static WebApplication Build(AdminHostOptions options, Action<IServiceCollection> addSources)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(addSources);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();

        var services = builder.Services;
        services.AddSingleton<ILoggerFactory>(new AdminLoggerFactory(options.LoggerFactory));
        services.AddSingleton<IHostLifetime, HostedInsideNode>(); // the node's host handles signals
        services.TryAddSingleton(options.Time);
        services.AddSingleton(new AuthSettings(options.Token));
        services.AddSingleton<AdminCounters>();
        services.AddSingleton(_ => new TrafficHistory());
        services.AddKeyedSingleton(BackendAdminKeys.Tcp, (_, _) => new TrafficHistory());
        services.AddSingleton<BackendEndpoints.Deps>();
        services.AddHostedService<TrafficSampler>();
        addSources(services);
        services.TryAddSingleton<IClusterView, NotConfiguredCluster>();
        services.TryAddSingleton<IVipView, NotConfiguredVips>();
        services.TryAddSingleton<IReplicationView, NotConfiguredReplication>();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            Listen(kestrel, options.Address);
        });

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = HandleExceptionAsync });
        app.UseStatusCodePages(context => StatusPageAsync(context.HttpContext));
        app.UseMiddleware<AdminAuthMiddleware>();

        var api = app.MapGroup(Contracts.AdminPaths.ApiRoot);
        StatusEndpoints.Map(api);
        BackendEndpoints.Map(api);
        SessionEndpoints.Map(api);
        ConfigEndpoints.Map(api);
        TrafficEndpoints.Map(api);
        DiagnosticEndpoints.Map(api);
        MetricsEndpoint.Map(app);
        DashboardAssets.Map(app);

        var logger = options.LoggerFactory.CreateLogger(AdminLog.Category);
        app.Lifetime.ApplicationStarted.Register(() =>
            AdminLog.Listening(logger, options.Address, options.Token is null ? "none, local callers only" : "required"));
        return app;
    }

    private static void Listen(KestrelServerOptions kestrel, string address)
    {
        if (!EndpointParser.TryParseEndpoint(address, out var host, out var port))
        {
            throw new FormatException($"'{address}' is not host:port; validation should have refused it.");
        }

        switch (host)
        {
            case EndpointParser.AnyHost: kestrel.ListenAnyIP(port); break;
            case EndpointParser.LocalhostHost: kestrel.ListenLocalhost(port); break;
            default: kestrel.Listen(IPAddress.Parse(host), port); break;
        }
    }

    private static Task StatusPageAsync(HttpContext context)
    {
        var request = context.Request;
        var status = context.Response.StatusCode;
        var detail = status switch
        {
            404 => $"no such endpoint: {request.Method} {request.Path}. The API lives under /api/v1 (status, backends, sessions, config, cluster/members, vips, traffic); metrics are at /metrics and the dashboard at /.",
            405 => $"{request.Method} is not allowed on {request.Path}; use {context.Response.Headers.Allow}.",
            400 => $"the request is malformed: check the path and query string of {request.Method} {request.Path}.",
            413 => $"the body is larger than the admin API accepts ({MaxBodyBytes / 1024} KiB).",
            _ => $"{request.Method} {request.Path} failed.",
        };
        return Problems.WriteAsync(context, status, detail);
    }

    private static Task HandleExceptionAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        return error is Microsoft.AspNetCore.Http.BadHttpRequestException bad
            ? Problems.WriteAsync(context, bad.StatusCode, bad.StatusCode == 413
                ? $"the body is larger than the admin API accepts ({MaxBodyBytes / 1024} KiB)."
                : $"the request could not be read: {bad.Message}")
            : Problems.WriteAsync(context, 500, "the node failed to answer this request; its log has the details.");
    }

    /// <summary>The admin host starts and stops with the node; it must not react to SIGTERM on its own.</summary>
    private sealed class HostedInsideNode : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>The token setting, as the auth middleware gets it from the container.</summary>
internal sealed record AuthSettings(AdminToken? Token);

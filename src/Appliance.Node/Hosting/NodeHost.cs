using Appliance.Core.Security;
using Appliance.Core.Configuration;
using Appliance.Node.Management;
using Appliance.Proxy;
using Appliance.Proxy.Edge;
using Appliance.Proxy.Tcp;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Node.Hosting;

/// <summary>The composition root: one node's host (data plane and admin listener), with its configuration applied.</summary>
internal static class NodeHost
{
    /// <summary>
    /// Builds a node ready to start. Throws <see cref="ConfigRejectedException"/> when the proxy
    /// refuses the configuration (YARP validation, unreadable certificates).
    /// </summary>
    public static async Task<WebApplication> BuildAsync(
        ApplianceConfig config, string? configPath, LogLevel minimumLevel = LogLevel.Information, ClusterKey? demoClusterKey = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });

        // Only our file and the environment configure the process (no appsettings.json from the cwd).
        // Of the file, the host sees the Logging section alone: Kestrel would bind its own "Kestrel"
        // endpoints and "Urls" beside the listeners made from them.
        builder.Configuration.Sources.Clear();
        if (config.LoggingJson is { } logging)
        {
            builder.Configuration.AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"{{\"Logging\": {logging}}}")));
        }

        builder.Configuration.AddEnvironmentVariables("APPLIANCE_");
        ConfigureLogging(builder, minimumLevel);

        // The cluster first: with a Cluster section it registers the replicated session store and
        // connection counts, and the proxy's TryAdd keeps them instead of the single-node ones.
        ClusterComposition.AddCluster(builder.Services, config, demoClusterKey);

        // Registered after the cluster, so on shutdown it hands its VIPs over (and drops them) first.
        Vips.VipComposition.AddVips(builder.Services, config);

        builder.Services.AddApplianceProxy();
        builder.Services.AddApplianceTcp();
        if (config.Listeners.Count == 0)
        {
            // Kestrel with no endpoint binds localhost:5000 by itself; a TCP-only node serves no HTTP at all.
            builder.Services.AddSingleton<IServer, NoHttpServer>();
        }

        // Listeners are bound once from the starting configuration (the server's options may be
        // built before the proxy applies it); certificates are picked per handshake, so they follow reloads.
        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<CertificateStore, ListenerConnections>((kestrel, certificates, connections) => KestrelListeners.Bind(kestrel, config, certificates, connections));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout(config));
        if (configPath is not null)
        {
            builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ConfigReloader>(sp, configPath));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigReloader>());
        }

        // The admin API, /metrics and the dashboard: a listener and web host of their own.
        builder.Services.AddSingleton<AdminListener>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AdminListener>());

        // Under systemd (Type=notify): READY=1 once the node is ready, STOPPING=1 on shutdown.
        Systemd.SystemdNotifier.AddIfRequested(builder.Services);

        var app = builder.Build();
        var errors = await app.Services.GetRequiredService<ProxyConfigurator>().TryApplyAsync(config).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new ConfigRejectedException(errors);
        }

        app.UseApplianceProxy();
        return app;
    }

    /// <summary>Long enough for every TCP listener to drain (as configured at start), and never under 15 s.</summary>
    private static TimeSpan ShutdownTimeout(ApplianceConfig config)
    {
        var drain = config.Tcp.Listeners.Values.Select(l => l.DrainTimeout).DefaultIfEmpty(TimeSpan.Zero).Max();
        var needed = drain + TimeSpan.FromSeconds(5);
        return needed > TimeSpan.FromSeconds(15) ? needed : TimeSpan.FromSeconds(15);
    }

    private static void ConfigureLogging(WebApplicationBuilder builder, LogLevel minimumLevel)
    {
        builder.Logging.ClearProviders();
        if (Systemd.JournalStream.IsStandardOutput())
        {
            // Output goes to the journal (systemd sets JOURNAL_STREAM): <N> priority prefixes, so
            // `journalctl -p warning` works, and no timestamps of our own (the journal has them).
            builder.Logging.AddSystemdConsole(o => o.IncludeScopes = false);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }
        builder.Logging.SetMinimumLevel(minimumLevel);

        // Per-request logging in the hot path costs throughput; keep framework chatter to warnings.
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        // Off entirely: while this category is enabled at any level, ASP.NET Core's hosting layer
        // starts an Activity and a logging scope for every request (a few percent of the proxy's CPU).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
    }
}

/// <summary>The proxy refused a configuration that passed file validation.</summary>
internal sealed class ConfigRejectedException(IReadOnlyList<ConfigError> errors)
    : Exception($"{errors.Count} configuration problem(s): {string.Join("; ", errors)}")
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}

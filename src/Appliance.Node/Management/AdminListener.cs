using Appliance.Cluster.Hosting;
using Appliance.Management;
using Appliance.Management.Security;
using Appliance.Management.Sources;
using Appliance.Node.Hosting;
using Appliance.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Node.Management;

/// <summary>
/// Runs the admin listener (<see cref="AdminHost"/>) beside the data plane, started and stopped with
/// the node. Wires management's interfaces to the proxy through the adapters in this folder. The
/// <c>Admin</c> section is read once: changing it needs a restart.
/// </summary>
internal sealed class AdminListener(IServiceProvider node) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The admin host, once started (tests reach its services through it).</summary>
    public WebApplication? App => _app;

    /// <summary>The node's status as the admin API reports it, once started (the systemd notifier reads readiness from it).</summary>
    public NodeStatusSource? Status { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var admin = node.GetRequiredService<ConfigStore>().Current.Admin;
        var token = admin.TokenFile is { } file ? AdminToken.Load(file) : null;
        var reloader = node.GetService<ConfigReloader>();
        var status = Create<NodeStatusSource>(reloader);
        Status = status;
        var backends = Create<ProxyBackendAdmin>();
        var tcpBackends = Create<TcpBackendAdmin>();
        var options = new AdminHostOptions
        {
            Address = admin.Address,
            Token = token,
            LoggerFactory = node.GetRequiredService<ILoggerFactory>(),
            Time = node.GetRequiredService<TimeProvider>(),
        };
        _app = AdminHost.Build(options, services =>
        {
            services.AddSingleton<INodeStatusSource>(status);
            services.AddSingleton<IBackendAdmin>(backends);
            services.AddKeyedSingleton<IBackendAdmin>(BackendAdminKeys.Tcp, tcpBackends);
            services.AddSingleton<IMetricsSource>(new TcpMetricsSource(tcpBackends, node.GetService<Appliance.Proxy.Tcp.TcpListenerManager>()));
            services.AddSingleton<ISessionLookup>(Create<SessionLookup>());
            services.AddSingleton<IConfigActions>(Create<ConfigActions>(reloader));
            services.AddSingleton<IMetricsSource>(Create<NodeMetricsSource>(status, reloader));
            services.AddSingleton<IMetricsSource>(new ProcessMetricsSource());
            services.AddSingleton<IMetricsSource>(Create<ProxyMetricsSource>(backends));
            if (node.GetService<ClusterHost>() is { } cluster)
            {
                services.AddSingleton<IClusterView>(new ClusterMembersView(cluster));
                services.AddSingleton<IMetricsSource>(new ClusterMetricsSource(cluster));
            }

            if (node.GetService<Appliance.Replication.Hosting.ReplicationInfo>() is { } replicationInfo)
            {
                var replication = new ReplicationView(replicationInfo);
                services.AddSingleton<IReplicationView>(replication);
                services.AddSingleton<IMetricsSource>(new ReplicationMetricsSource(replication));
            }

            if (Environment.GetEnvironmentVariable("APPLIANCE_DIAGNOSTICS") == "1")
            {
                // Benchmarks only (bench/replication.sh): synthetic sessions through the admin API.
                services.AddSingleton<ISessionInjector>(Create<SessionInjector>());
            }

            if (node.GetService<Appliance.Vip.Hosting.VipService>() is { } vips)
            {
                services.AddSingleton<IVipView>(new VipStatusView(vips));
                services.AddSingleton<IMetricsSource>(new VipMetricsSource(vips));
            }
        });
        try
        {
            await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new IOException($"the admin listener cannot start on Admin.Address '{admin.Address}': {e.Message} Pick another Admin.Address, or stop what holds that port.", e);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    // Optional constructor arguments (the reloader, absent without a file) are passed when present.
    private T Create<T>(params object?[] extra) => ActivatorUtilities.CreateInstance<T>(node, extra.Where(e => e is not null).ToArray()!);
}

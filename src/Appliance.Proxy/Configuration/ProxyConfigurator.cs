using Appliance.Core.Configuration;
using Appliance.Proxy.Edge;
using Appliance.Proxy.Model;
using Yarp.ReverseProxy.Configuration;

namespace Appliance.Proxy;

/// <summary>
/// Checks a loaded configuration against everything only the running proxy can judge (YARP's own
/// validator, certificate files) and, when all is well, applies it everywhere at once. On any
/// error nothing changes: the last good configuration keeps serving.
/// </summary>
internal sealed class ProxyConfigurator(
    IConfigValidator yarpValidator,
    ApplianceProxyConfigProvider provider,
    BackendRegistry registry,
    Tcp.TcpPoolRegistry tcpPools,
    CertificateStore certificates,
    ConfigStore store,
    TimeProvider time)
{
    private readonly SemaphoreSlim _applying = new(1, 1);

    public async Task<IReadOnlyList<ConfigError>> TryApplyAsync(ApplianceConfig config)
    {
        await _applying.WaitAsync().ConfigureAwait(false);
        try
        {
            var (bound, errors) = await CheckAsync(config, certificates: false).ConfigureAwait(false);
            if (errors.Count == 0)
            {
                errors.AddRange(certificates.Load(config));
            }

            if (errors.Count > 0)
            {
                return errors;
            }

            registry.Apply(config);
            tcpPools.Apply(config);
            store.Apply(config, time.GetUtcNow());
            provider.Update(bound!.Routes, bound.Clusters);
            return [];
        }
        finally
        {
            _applying.Release();
        }
    }

    /// <summary>
    /// Binds to YARP's types and runs YARP's validator; errors carry JSON paths. With
    /// <paramref name="certificates"/> the TLS certificates are test-loaded too, so validating a file
    /// finds what applying it would (applying loads them itself).
    /// </summary>
    public async Task<(YarpConfigBinder.Result? Bound, List<ConfigError> Errors)> CheckAsync(ApplianceConfig config, bool certificates = true)
    {
        var (bound, errors) = await CheckProxyAsync(config).ConfigureAwait(false);
        if (certificates && errors.Count == 0)
        {
            errors.AddRange(CertificateStore.Check(config));
        }

        return (errors.Count == 0 ? bound : null, errors);
    }

    private async Task<(YarpConfigBinder.Result? Bound, List<ConfigError> Errors)> CheckProxyAsync(ApplianceConfig config)
    {
        var bound = YarpConfigBinder.Bind(config);
        var errors = bound.Errors.ToList();
        foreach (var route in bound.Routes)
        {
            foreach (var e in await yarpValidator.ValidateRouteAsync(route).ConfigureAwait(false))
            {
                errors.Add(new ConfigError($"$.ReverseProxy.Routes.{route.RouteId}", e.Message));
            }
        }

        foreach (var cluster in bound.Clusters)
        {
            foreach (var e in await yarpValidator.ValidateClusterAsync(cluster).ConfigureAwait(false))
            {
                errors.Add(new ConfigError($"$.ReverseProxy.Clusters.{cluster.ClusterId}", e.Message));
            }
        }

        return (errors.Count == 0 ? bound : null, errors);
    }
}

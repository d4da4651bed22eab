using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Appliance.Proxy.Edge;

/// <summary>
/// ASP.NET Core's host filtering (<c>AllowedHosts</c>) on the data plane, fed from the applied
/// configuration: a request whose Host header matches none of the names gets 400, as in any ASP.NET
/// Core app. A reload that changes the names applies at once.
/// </summary>
internal static class AllowedHostsFiltering
{
    public static IServiceCollection AddAllowedHostsFiltering(this IServiceCollection services)
    {
        services.AddHostFiltering(_ => { });
        services.AddOptions<HostFilteringOptions>().Configure<ConfigStore>((options, store) =>
        {
            var hosts = store.Current.AllowedHosts;
            options.AllowedHosts = hosts.Count == 0 ? ["*"] : [.. hosts];
        });
        services.AddSingleton<IOptionsChangeTokenSource<HostFilteringOptions>, ChangeSource>();
        return services;
    }

    /// <summary>Tells the options monitor to read the names again whenever a configuration is applied.</summary>
    private sealed class ChangeSource : IOptionsChangeTokenSource<HostFilteringOptions>
    {
        // Not disposed when replaced: a reader may still hold the token; reloads are rare.
        private CancellationTokenSource _changed = new();

        public ChangeSource(ConfigStore store) =>
            store.Changed += _ => Interlocked.Exchange(ref _changed, new CancellationTokenSource()).Cancel();

        public string Name => Options.DefaultName;

        public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);
    }
}

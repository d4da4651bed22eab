using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace Appliance.Proxy;

/// <summary>
/// Hands YARP the routes and clusters of the configuration in force. A swap signals the old
/// snapshot's change token; YARP then rebuilds its routing while in-flight requests finish on the
/// state they started with.
/// </summary>
internal sealed class ApplianceProxyConfigProvider : IProxyConfigProvider
{
    private volatile Snapshot _snapshot = new([], []);

    public IProxyConfig GetConfig() => _snapshot;

    public void Update(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters)
    {
        var old = _snapshot;
        _snapshot = new Snapshot(routes, clusters);
        old.SignalChange();
    }

    private sealed class Snapshot(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters) : IProxyConfig
    {
        private readonly CancellationTokenSource _changed = new();

        public string RevisionId { get; } = Guid.NewGuid().ToString("N");

        public IReadOnlyList<RouteConfig> Routes { get; } = routes;

        public IReadOnlyList<ClusterConfig> Clusters { get; } = clusters;

        public IChangeToken ChangeToken => new CancellationChangeToken(_changed.Token);

        public void SignalChange() => _changed.Cancel();
    }
}

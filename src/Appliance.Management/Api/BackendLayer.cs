using Appliance.Management.Contracts;

namespace Appliance.Management.Api;

/// <summary>
/// One kind of backend the admin API serves with the same shapes and actions: HTTP clusters, or TCP
/// pools. Each kind has its own id space (an HTTP cluster and a TCP pool may share a name), so each
/// gets its own route root, its own <see cref="Sources.IBackendAdmin"/> (the TCP one registered under
/// <see cref="ServiceKey"/>) and its own traffic history.
/// </summary>
/// <param name="Root">The route root under the API root, e.g. <c>/backends</c>.</param>
/// <param name="Noun">What a group of backends is called in messages: "cluster" or "pool".</param>
/// <param name="ServiceKey">DI key of its admin source and traffic history; null for HTTP (the plain registrations).</param>
/// <param name="Missing">Why the routes answer 404 when the node has no source for this kind.</param>
internal sealed record BackendLayer(string Root, string Noun, string? ServiceKey, string Missing)
{
    /// <summary>HTTP clusters (YARP), at <c>/api/v1/backends</c>.</summary>
    public static readonly BackendLayer Http = new(
        AdminPaths.Backends[AdminPaths.ApiRoot.Length..], "cluster", null, "this node serves no HTTP clusters.");

    /// <summary>TCP pools, at <c>/api/v1/tcp/backends</c>.</summary>
    public static readonly BackendLayer Tcp = new(
        AdminPaths.TcpBackends[AdminPaths.ApiRoot.Length..], "pool", Sources.BackendAdminKeys.Tcp, "this node serves no TCP pools.");

    /// <summary>Both kinds, in the order lists show them.</summary>
    public static readonly IReadOnlyList<BackendLayer> All = [Http, Tcp];
}

using System.Buffers.Text;
using System.Security.Cryptography;
using Appliance.Core.Configuration;
using Appliance.Core.State;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.SessionAffinity;

namespace Appliance.Proxy.SessionAffinity;

/// <summary>
/// Affinity policy "ApplianceCookie": the cookie carries a random, opaque session key (it reveals
/// nothing about the backends); the <see cref="ISessionStore"/> maps it to a backend. Because the
/// table (not the cookie) decides, a client stays pinned through any node once the table is
/// replicated. A session whose backend is down or in maint is re-pinned under the same key; a
/// draining backend keeps its sessions (the candidates given here already exclude maint and down).
/// </summary>
internal sealed class ApplianceCookieAffinityPolicy(
    ISessionStore store,
    ConfigStore configStore,
    TimeProvider time) : ISessionAffinityPolicy
{
    public string Name => PolicyNames.ApplianceCookie;

    public AffinityResult FindAffinitizedDestinations(
        HttpContext context, ClusterState cluster, SessionAffinityConfig config, IReadOnlyList<DestinationState> destinations)
    {
        if (!context.Request.Cookies.TryGetValue(config.AffinityKeyName, out var key) || !IsWellFormed(key))
        {
            return new AffinityResult(null, AffinityStatus.AffinityKeyNotSet);
        }

        var feature = new StickySessionFeature(key);
        context.Features.Set(feature);
        if (!store.TryGet(StoreKey(cluster.ClusterId, key), time.GetUtcNow(), out var entry))
        {
            return new AffinityResult(null, AffinityStatus.DestinationNotFound);
        }

        feature.PinnedBackend = entry.Backend;
        foreach (var destination in destinations)
        {
            if (destination.DestinationId == entry.Backend)
            {
                feature.Affinitized = true;
                return new AffinityResult(destination, AffinityStatus.OK);
            }
        }

        return new AffinityResult(null, AffinityStatus.DestinationNotFound);
    }

    public ValueTask<AffinityResult> FindAffinitizedDestinationsAsync(
        HttpContext context, ClusterState cluster, SessionAffinityConfig config,
        IReadOnlyList<DestinationState> destinations, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FindAffinitizedDestinations(context, cluster, config, destinations));

    public void AffinitizeResponse(HttpContext context, ClusterState cluster, SessionAffinityConfig config, DestinationState destination)
    {
        var feature = context.Features.Get<StickySessionFeature>();
        if (feature is { Affinitized: true, PinnedBackend: var pinned } && pinned == destination.DestinationId)
        {
            return; // already pinned here; the lookup refreshed its idle timer
        }

        var key = feature?.SessionKey ?? NewKey();
        var idle = configStore.Current.Balancing.For(cluster.ClusterId).SessionIdleTimeout;
        store.Put(StoreKey(cluster.ClusterId, key), destination.DestinationId, idle, time.GetUtcNow());
        if (feature is null)
        {
            context.Response.Cookies.Append(config.AffinityKeyName, key, CookieOptions(context, config));
        }
    }

    public ValueTask AffinitizeResponseAsync(
        HttpContext context, ClusterState cluster, SessionAffinityConfig config,
        DestinationState destination, CancellationToken cancellationToken)
    {
        AffinitizeResponse(context, cluster, config, destination);
        return ValueTask.CompletedTask;
    }

    /// <summary>The table key: HTTP sessions are per cluster.</summary>
    internal static string StoreKey(string clusterId, string sessionKey) => $"http/{clusterId}/{sessionKey}";

    private static string NewKey()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    // Keys we mint are 22 base64url characters; anything else is a forged or foreign cookie and is
    // not allowed to grow the table or reach the replication stream.
    private static bool IsWellFormed(string key) =>
        key.Length == 22 && Base64Url.IsValid(key);

    private static CookieOptions CookieOptions(HttpContext context, SessionAffinityConfig config)
    {
        var cookie = config.Cookie;
        return new CookieOptions
        {
            Path = cookie?.Path ?? "/",
            Domain = cookie?.Domain,
            HttpOnly = cookie?.HttpOnly ?? true,
            IsEssential = cookie?.IsEssential ?? false,
            SameSite = cookie?.SameSite ?? SameSiteMode.Lax,
            Secure = cookie?.SecurePolicy switch
            {
                Microsoft.AspNetCore.Http.CookieSecurePolicy.Always => true,
                Microsoft.AspNetCore.Http.CookieSecurePolicy.None => false,
                _ => context.Request.IsHttps,
            },
            Expires = cookie?.Expiration is { } expiration ? DateTimeOffset.UtcNow + expiration : null,
            MaxAge = cookie?.MaxAge,
        };
    }
}

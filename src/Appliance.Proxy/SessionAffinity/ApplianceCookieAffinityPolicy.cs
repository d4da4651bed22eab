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
/// Affinity policy "ApplianceCookie": the cookie carries a random, opaque session key and a
/// <see cref="StickyHint"/> (<c>KEY.HINT</c>; neither reveals a backend); the
/// <see cref="ISessionStore"/> maps the key to a backend. The table decides first, so a client
/// stays pinned through any node once the table is replicated; when the table does not know the
/// key (its delta is still on the wire, or the node that created it crashed first), the hint names
/// the backend, and the session is written back to the table. A session whose backend is down or
/// in maint is re-pinned under the same key with a new hint; a draining backend keeps its sessions
/// (the candidates given here already exclude maint and down). Cookies without a hint (issued
/// before hints existed) are still honoured through the table.
/// </summary>
internal sealed class ApplianceCookieAffinityPolicy(
    ISessionStore store,
    ConfigStore configStore,
    TimeProvider time,
    StickyHint hints) : ISessionAffinityPolicy
{
    public string Name => PolicyNames.ApplianceCookie;

    public AffinityResult FindAffinitizedDestinations(
        HttpContext context, ClusterState cluster, SessionAffinityConfig config, IReadOnlyList<DestinationState> destinations)
    {
        if (!context.Request.Cookies.TryGetValue(config.AffinityKeyName, out var cookie) || !TryParse(cookie, out var key, out var hint))
        {
            return new AffinityResult(null, AffinityStatus.AffinityKeyNotSet);
        }

        var feature = new StickySessionFeature(key) { Hint = hint };
        context.Features.Set(feature);
        var now = time.GetUtcNow();
        if (store.TryGet(StoreKey(cluster.ClusterId, key), now, out var entry))
        {
            feature.PinnedBackend = entry.Backend;
            if (Find(destinations, d => d.DestinationId == entry.Backend) is { } pinned)
            {
                feature.Affinitized = true;
                return new AffinityResult(pinned, AffinityStatus.OK);
            }
        }

        // The table does not know the key (or its backend cannot serve): the cookie's hint may.
        var slot = StickyHint.SlotOf(now, IdleTimeout(cluster.ClusterId));
        if (hint is not null && Find(destinations, d => hints.Names(hint, cluster.ClusterId, d.DestinationId, slot)) is { } hinted)
        {
            feature.PinnedBackend = hinted.DestinationId;
            feature.Affinitized = true;
            feature.FromHint = true;
            return new AffinityResult(hinted, AffinityStatus.OK);
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
        var now = time.GetUtcNow();
        var idle = IdleTimeout(cluster.ClusterId);
        var hint = hints.Current(cluster.ClusterId, destination.DestinationId, StickyHint.SlotOf(now, idle));
        var key = feature?.SessionKey ?? NewKey();
        if (feature is not { Affinitized: true, FromHint: false, PinnedBackend: var pinned } || pinned != destination.DestinationId)
        {
            // A new client, a re-pin, or a session only the hint knew: (re)write it to the table.
            // Otherwise the table's lookup already refreshed its idle timer.
            store.Put(StoreKey(cluster.ClusterId, key), destination.DestinationId, idle, now);
        }

        if (feature?.Hint != hint)
        {
            // A new client, a re-pin, a new time slot, or a cookie from before hints: the current hint.
            context.Response.Cookies.Append(config.AffinityKeyName, $"{key}.{hint}", CookieOptions(context, config));
        }
    }

    public ValueTask AffinitizeResponseAsync(
        HttpContext context, ClusterState cluster, SessionAffinityConfig config,
        DestinationState destination, CancellationToken cancellationToken)
    {
        AffinitizeResponse(context, cluster, config, destination);
        return ValueTask.CompletedTask;
    }

    private TimeSpan IdleTimeout(string clusterId) => configStore.Current.Balancing.For(clusterId).SessionIdleTimeout;

    /// <summary>The table key: HTTP sessions are per cluster.</summary>
    internal static string StoreKey(string clusterId, string sessionKey) => $"http/{clusterId}/{sessionKey}";

    private const int KeyLength = 22;

    private static string NewKey()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    private static DestinationState? Find(IReadOnlyList<DestinationState> destinations, Func<DestinationState, bool> match)
    {
        foreach (var destination in destinations)
        {
            if (match(destination))
            {
                return destination;
            }
        }

        return null;
    }

    // Keys we mint are 22 base64url characters, optionally followed by '.' and an 8-character hint;
    // anything else is a forged or foreign cookie and is not allowed to grow the table or reach the
    // replication stream.
    internal static bool TryParse(string cookie, out string key, out string? hint)
    {
        key = "";
        hint = null;
        if (cookie.Length == KeyLength && Base64Url.IsValid(cookie))
        {
            key = cookie;
            return true;
        }

        if (cookie.Length == KeyLength + 1 + StickyHint.Length && cookie[KeyLength] == '.'
            && Base64Url.IsValid(cookie.AsSpan(0, KeyLength)) && Base64Url.IsValid(cookie.AsSpan(KeyLength + 1)))
        {
            key = cookie[..KeyLength];
            hint = cookie[(KeyLength + 1)..];
            return true;
        }

        return false;
    }

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

using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace Appliance.Proxy.RateLimiting;

/// <summary>
/// Applies a route's per-client-IP rate limit (Balancing.Routes.{id}.RateLimit): 429 with a
/// Retry-After in whole seconds. The client IP is the connection's, or the one a trusted proxy
/// reported (the forwarded-headers step runs first).
/// </summary>
internal sealed class RateLimitMiddleware(RequestDelegate next, ConfigStore configStore, RateLimitRejections rejections, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ClientRateLimiter> _limiters = new(StringComparer.Ordinal);

    public long Rejected => _limiters.Values.Sum(l => l.Rejected);

    public Task InvokeAsync(HttpContext context)
    {
        var routeId = context.GetReverseProxyFeature().Route.Config.RouteId;
        if (!configStore.Current.Balancing.Routes.TryGetValue(routeId, out var route) || route.RateLimit is not { } options)
        {
            return next(context);
        }

        var limiter = _limiters.AddOrUpdate(routeId,
            static (_, o) => new ClientRateLimiter(o),
            static (_, existing, o) => existing.Options == o ? existing : new ClientRateLimiter(o),
            options);
        var (allowed, retryAfter) = limiter.TryAcquire(context.Connection.RemoteIpAddress, time.GetUtcNow());
        if (allowed)
        {
            return next(context);
        }

        rejections.Record(routeId);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Task.CompletedTask;
    }
}

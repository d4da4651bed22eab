using Appliance.Management.Api;
using Appliance.Management.Logging;
using Appliance.Management.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Appliance.Management.Security;

/// <summary>
/// Applies <see cref="CallerPolicy"/> to every request except the dashboard's static files (they hold
/// no data; the page asks for a token when the API answers 401). Refusals are counted and logged
/// with the caller's address, never with what it sent.
/// </summary>
internal sealed class AdminAuthMiddleware(RequestDelegate next, AuthSettings settings, AdminCounters counters, ILoggerFactory loggers)
{
    /// <summary>Set on the request when the caller proved the token, for the action log.</summary>
    public const string TokenItem = "appliance.admin.token";

    private readonly ILogger _logger = loggers.CreateLogger(AdminLog.Category);

    public Task InvokeAsync(HttpContext context)
    {
        if (Dashboard.DashboardAssets.IsAssetPath(context.Request.Path))
        {
            return next(context);
        }

        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        var decision = CallerPolicy.Decide(
            context.Connection.RemoteIpAddress,
            request.Headers.Host.ToString(),
            request.Headers.Origin.Count > 0 ? request.Headers.Origin.ToString() : null,
            request.Method,
            authorization.Length > 0 ? authorization : null,
            settings.Token);
        if (decision.IsAllowed)
        {
            if (authorization.Length > 0 && settings.Token is not null)
            {
                context.Items[TokenItem] = true;
            }

            return next(context);
        }

        counters.Refused(decision.Reason);
        AdminLog.Refused(_logger, Caller.Describe(context), decision.Status, decision.Reason, request.Method, request.Path.Value ?? "");
        if (decision.Status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"appliance-admin\"";
        }

        return Problems.WriteAsync(context, decision.Status, decision.Detail);
    }
}

/// <summary>How a caller appears in the action log: its address, and whether it used the token.</summary>
internal static class Caller
{
    public static string Describe(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        var text = address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
        return context.Items.ContainsKey(AdminAuthMiddleware.TokenItem) ? text + " (token)" : text;
    }
}

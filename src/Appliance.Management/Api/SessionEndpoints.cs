using Appliance.Management.Contracts;
using Appliance.Management.Sources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Appliance.Management.Api;

/// <summary>Sticky session lookup by table key.</summary>
internal static class SessionEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/sessions/{**key}", (HttpContext context, string? key, ISessionLookup sessions) =>
        {
            if (string.IsNullOrEmpty(key))
            {
                return Problems.Result(context, 400, "no session key given: GET /api/v1/sessions/http/{cluster}/{cookie value}.");
            }

            return sessions.Find(key) is { } session
                ? TypedResults.Json(session, AdminJson.Context.SessionInfo)
                : Problems.Result(context, 404,
                    $"no live session under '{key}'. HTTP session keys are http/{{cluster}}/{{cookie value}}, e.g. http/web/Qm9vdHN0cmFwS2V5MTIzNA (the cookie is named by the cluster's SessionAffinity.AffinityKeyName); a session unused for the cluster's SessionIdleTimeout is gone.");
        });
    }
}

using Appliance.Management.Contracts;
using Appliance.Management.Logging;
using Appliance.Management.Metrics;
using Appliance.Management.Security;
using Appliance.Management.Sources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Appliance.Management.Api;

/// <summary>Node status, cluster members, VIPs and the cluster actions that wait for them.</summary>
internal static class StatusEndpoints
{
    private const string MoveExample = "{\"node\": \"NODE-NAME\"} (or {} for the best-ranked other node)";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/status", (INodeStatusSource node) => TypedResults.Json(node.Current(), AdminJson.Context.NodeStatus));

        api.MapGet("/cluster/members", (IClusterView cluster) => TypedResults.Json(cluster.Members(), AdminJson.Context.MembersResponse));

        api.MapGet("/cluster/replication", (IReplicationView replication) => TypedResults.Json(replication.Status(), AdminJson.Context.ReplicationResponse));

        api.MapGet("/vips", (IVipView vips) => TypedResults.Json(vips.List(), AdminJson.Context.VipsResponse));

        api.MapPost("/vips/{vip}/move", async (HttpContext context, string vip, IVipView vips, AdminCounters counters, ILoggerFactory loggers) =>
        {
            var logger = loggers.CreateLogger(AdminLog.Category);
            string? to = null;
            if (context.Request.ContentLength is not 0)
            {
                var (body, error) = await JsonBody.ReadAsync(context.Request, AdminJson.Context.VipMoveRequest, MoveExample).ConfigureAwait(false);
                if (error is not null)
                {
                    return Problems.Result(context, 400, error);
                }

                to = string.IsNullOrWhiteSpace(body!.Node) ? null : body.Node.Trim();
            }

            // An escaped '/' ("198.18.0.10%2F24") reaches the route value still escaped.
            vip = Uri.UnescapeDataString(vip);
            var target = to is null ? "the best-ranked other node" : to;
            if (vips.Move(vip, to) is { } refusal)
            {
                AdminLog.Action(logger, Caller.Describe(context), "vip move", vip, "refused: " + refusal.Message);
                return Problems.Result(context, refusal.UnknownVip ? 404 : 409, refusal.Message);
            }

            counters.Action("vip_move");
            AdminLog.Action(logger, Caller.Describe(context), "vip move", $"{vip} to {target}", "done");
            return TypedResults.Json(
                new VipMoveResult(vip, to, $"{vip}: released; {target} takes it over now. This node ranks last for it until it holds it again."),
                AdminJson.Context.VipMoveResult, statusCode: 202);
        });

        api.MapPost("/node/leave", (HttpContext context, IClusterView cluster) =>
        {
            var refusal = cluster.RequestLeave();
            return refusal is null
                ? Results.Accepted()
                : Problems.Result(context, 409, refusal);
        });
    }
}

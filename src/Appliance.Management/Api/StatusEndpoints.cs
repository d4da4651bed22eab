using Appliance.Management.Contracts;
using Appliance.Management.Sources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Appliance.Management.Api;

/// <summary>Node status, cluster members, VIPs and the cluster actions that wait for them.</summary>
internal static class StatusEndpoints
{
    public const string VipMoveNotAvailable =
        "vip move is not available until VIP management lands: this node holds no virtual IPs.";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/status", (INodeStatusSource node) => TypedResults.Json(node.Current(), AdminJson.Context.NodeStatus));

        api.MapGet("/cluster/members", (IClusterView cluster) => TypedResults.Json(cluster.Members(), AdminJson.Context.MembersResponse));

        api.MapGet("/cluster/replication", (IReplicationView replication) => TypedResults.Json(replication.Status(), AdminJson.Context.ReplicationResponse));

        api.MapGet("/vips", (IVipView vips) => TypedResults.Json(vips.List(), AdminJson.Context.VipsResponse));

        api.MapPost("/vips/{vip}/move", async (HttpContext context, string vip) =>
        {
            var (body, error) = await JsonBody.ReadAsync(context.Request, AdminJson.Context.VipMoveRequest, "{\"node\": \"NODE-NAME\"}").ConfigureAwait(false);
            if (error is not null)
            {
                return Problems.Result(context, 400, error);
            }

            if (string.IsNullOrWhiteSpace(body!.Node))
            {
                return Problems.Result(context, 400, "'node' is missing: send {\"node\": \"NODE-NAME\"}, the node that should hold the VIP.");
            }

            return Problems.Result(context, 501, VipMoveNotAvailable);
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

using Appliance.Management.Contracts;
using Appliance.Management.Logging;
using Appliance.Management.Metrics;
using Appliance.Management.Security;
using Appliance.Management.Sources;
using Appliance.Management.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Appliance.Management.Api;

/// <summary>Backends per cluster, and the operator's actions on one: drain, maint, ready, weight.</summary>
internal static class BackendEndpoints
{
    private const string WeightExample = "{\"weight\": N} with N from 0 (no new traffic) to 256";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/backends", (HttpContext context, string? cluster, IBackendAdmin admin, TrafficHistory history) =>
        {
            var clusters = admin.Snapshot();
            if (cluster is not null)
            {
                clusters = clusters.Where(c => string.Equals(c.Id, cluster, StringComparison.OrdinalIgnoreCase)).ToList();
                if (clusters.Count == 0)
                {
                    return Problems.Result(context, 404, UnknownCluster(cluster, admin));
                }
            }

            return TypedResults.Json(new BackendsResponse(clusters.Select(c => BackendViews.Cluster(c, history)).ToList()),
                AdminJson.Context.BackendsResponse);
        });

        api.MapGet("/backends/{cluster}/{backend}", (HttpContext context, string cluster, string backend, IBackendAdmin admin, TrafficHistory history) =>
            Find(admin, cluster, backend, out var found) is { } missing
                ? Problems.Result(context, 404, missing)
                : TypedResults.Json(BackendViews.Backend(found!, history), AdminJson.Context.BackendInfo));

        foreach (var state in new[] { "drain", "maint", "ready" })
        {
            api.MapPost($"/backends/{{cluster}}/{{backend}}/{state}", (HttpContext context, string cluster, string backend, Deps deps) =>
            {
                if (Find(deps.Admin, cluster, backend, out var found) is { } missing)
                {
                    AdminLog.Action(deps.Logger, Caller.Describe(context), state, $"{cluster}/{backend}", "refused: " + missing);
                    return Problems.Result(context, 404, missing);
                }

                return Act(context, deps, found!.Cluster, found.Id, state, () => deps.Admin.SetState(found.Cluster, found.Id, state), StateMessage(state));
            });
        }

        api.MapPut("/backends/{cluster}/{backend}/weight", async (HttpContext context, string cluster, string backend, Deps deps) =>
        {
            if (Find(deps.Admin, cluster, backend, out var found) is { } missing)
            {
                AdminLog.Action(deps.Logger, Caller.Describe(context), "weight", $"{cluster}/{backend}", "refused: " + missing);
                return Problems.Result(context, 404, missing);
            }

            var (body, error) = await JsonBody.ReadAsync(context.Request, AdminJson.Context.WeightRequest, WeightExample).ConfigureAwait(false);
            if (error is not null)
            {
                return Problems.Result(context, 400, error);
            }

            if (body!.Weight is not { } weight || weight is < 0 or > 256)
            {
                return Problems.Result(context, 400, $"'weight' must be a whole number from 0 (no new traffic) to 256; send {WeightExample}.");
            }

            return Act(context, deps, found!.Cluster, found.Id, $"weight {weight}", () => deps.Admin.SetWeight(found.Cluster, found.Id, weight),
                $"weight set to {weight} until the configuration file changes this backend's weight");
        });
    }

    private static IResult Act(HttpContext context, Deps deps, string cluster, string backend, string action, Func<AdminChange> change, string message)
    {
        var target = $"{cluster}/{backend}";
        var outcome = change();
        if (outcome != AdminChange.Done)
        {
            var detail = outcome switch
            {
                AdminChange.UnknownCluster => UnknownCluster(cluster, deps.Admin),
                AdminChange.UnknownBackend => UnknownBackend(cluster, backend, deps.Admin),
                _ => $"'{action}' is not a valid change for {target}.",
            };
            AdminLog.Action(deps.Logger, Caller.Describe(context), action, target, "refused: " + detail);
            return Problems.Result(context, outcome == AdminChange.InvalidValue ? 400 : 404, detail);
        }

        deps.Counters.Action(action.StartsWith("weight", StringComparison.Ordinal) ? "backend_weight" : "backend_" + action);
        var scope = deps.Admin.Scope;
        var text = $"{target}: {message} (applied on this {(scope == "node" ? "node only" : "whole cluster")})";
        AdminLog.Action(deps.Logger, Caller.Describe(context), action, target, "done");
        Find(deps.Admin, cluster, backend, out var after);
        return TypedResults.Json(new BackendActionResult(BackendViews.Backend(after!, deps.History), scope, text),
            AdminJson.Context.BackendActionResult);
    }

    private static string StateMessage(string state) => state switch
    {
        "drain" => "draining: no new sessions; sticky sessions and requests in flight continue",
        "maint" => "in maintenance: no traffic at all; sticky sessions move to other backends",
        _ => "ready: takes new and sticky traffic",
    };

    /// <summary>Null when found; otherwise the message for the 404.</summary>
    private static string? Find(IBackendAdmin admin, string cluster, string backend, out BackendSnapshot? found)
    {
        found = null;
        var clusters = admin.Snapshot();
        var c = clusters.FirstOrDefault(x => string.Equals(x.Id, cluster, StringComparison.OrdinalIgnoreCase));
        if (c is null)
        {
            return UnknownCluster(cluster, clusters);
        }

        found = c.Backends.FirstOrDefault(b => b.Id == backend);
        return found is null ? UnknownBackend(c, backend) : null;
    }

    private static string UnknownCluster(string cluster, IBackendAdmin admin) => UnknownCluster(cluster, admin.Snapshot());

    private static string UnknownCluster(string cluster, IReadOnlyList<ClusterSnapshot> clusters) =>
        $"no cluster '{cluster}' on this node; clusters: {Names(clusters.Select(c => c.Id))}.";

    private static string UnknownBackend(string cluster, string backend, IBackendAdmin admin)
    {
        var c = admin.Snapshot().FirstOrDefault(x => string.Equals(x.Id, cluster, StringComparison.OrdinalIgnoreCase));
        return c is null ? UnknownCluster(cluster, admin) : UnknownBackend(c, backend);
    }

    private static string UnknownBackend(ClusterSnapshot c, string backend) =>
        $"cluster '{c.Id}' has no backend '{backend}'; its backends: {Names(c.Backends.Select(b => b.Id))}.";

    private static string Names(IEnumerable<string> names)
    {
        var text = string.Join(", ", names.Select(n => $"'{n}'"));
        return text.Length == 0 ? "none" : text;
    }

    /// <summary>What the actions need, injected as one.</summary>
    internal sealed class Deps(IBackendAdmin admin, TrafficHistory history, AdminCounters counters, ILoggerFactory loggers)
    {
        public IBackendAdmin Admin { get; } = admin;
        public TrafficHistory History { get; } = history;
        public AdminCounters Counters { get; } = counters;
        public ILogger Logger { get; } = loggers.CreateLogger(AdminLog.Category);
    }
}

using Appliance.Management.Contracts;
using Appliance.Management.Logging;
using Appliance.Management.Metrics;
using Appliance.Management.Security;
using Appliance.Management.Sources;
using Appliance.Management.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Management.Api;

/// <summary>Backends per HTTP cluster and per TCP pool, and the operator's actions on one: drain, maint, ready, weight.</summary>
internal static class BackendEndpoints
{
    private const string WeightExample = "{\"weight\": N} with N from 0 (no new traffic) to 256";

    public static void Map(IEndpointRouteBuilder api)
    {
        foreach (var layer in BackendLayer.All)
        {
            Map(api, layer);
        }
    }

    private static void Map(IEndpointRouteBuilder api, BackendLayer layer)
    {
        var root = layer.Root;
        api.MapGet(root, (HttpContext context, string? cluster, Deps deps) =>
        {
            if (deps.Admin(layer) is not { } admin)
            {
                return Problems.Result(context, 404, layer.Missing);
            }

            var clusters = admin.Snapshot();
            if (cluster is not null)
            {
                clusters = clusters.Where(c => string.Equals(c.Id, cluster, StringComparison.OrdinalIgnoreCase)).ToList();
                if (clusters.Count == 0)
                {
                    return Problems.Result(context, 404, UnknownCluster(layer, cluster, admin.Snapshot()));
                }
            }

            var history = deps.History(layer);
            return TypedResults.Json(new BackendsResponse(clusters.Select(c => BackendViews.Cluster(c, history)).ToList()),
                AdminJson.Context.BackendsResponse);
        });

        api.MapGet(root + "/{cluster}/{backend}", (HttpContext context, string cluster, string backend, Deps deps) =>
            Find(deps, layer, cluster, backend, out var found) is { } missing
                ? Problems.Result(context, 404, missing)
                : TypedResults.Json(BackendViews.Backend(found!, deps.History(layer)), AdminJson.Context.BackendInfo));

        foreach (var state in new[] { "drain", "maint", "ready" })
        {
            api.MapPost($"{root}/{{cluster}}/{{backend}}/{state}", (HttpContext context, string cluster, string backend, Deps deps) =>
            {
                if (Find(deps, layer, cluster, backend, out var found) is { } missing)
                {
                    AdminLog.Action(deps.Logger, Caller.Describe(context), state, $"{cluster}/{backend}", "refused: " + missing);
                    return Problems.Result(context, 404, missing);
                }

                return Act(context, deps, layer, found!, state, admin => admin.SetState(found!.Cluster, found.Id, state), StateMessage(state));
            });
        }

        api.MapPut(root + "/{cluster}/{backend}/weight", async (HttpContext context, string cluster, string backend, Deps deps) =>
        {
            if (Find(deps, layer, cluster, backend, out var found) is { } missing)
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

            return Act(context, deps, layer, found!, $"weight {weight}", admin => admin.SetWeight(found!.Cluster, found.Id, weight),
                $"weight set to {weight} until the configuration file changes this backend's weight");
        });
    }

    private static IResult Act(HttpContext context, Deps deps, BackendLayer layer, BackendSnapshot backend, string action, Func<IBackendAdmin, AdminChange> change, string message)
    {
        var admin = deps.Admin(layer)!;
        var target = $"{backend.Cluster}/{backend.Id}";
        var outcome = change(admin);
        if (outcome != AdminChange.Done)
        {
            var detail = outcome switch
            {
                AdminChange.UnknownCluster or AdminChange.UnknownBackend =>
                    Find(deps, layer, backend.Cluster, backend.Id, out _) ?? $"{target} went away while the change was made.",
                _ => $"'{action}' is not a valid change for {target}.",
            };
            AdminLog.Action(deps.Logger, Caller.Describe(context), action, target, "refused: " + detail);
            return Problems.Result(context, outcome == AdminChange.InvalidValue ? 400 : 404, detail);
        }

        var prefix = layer.ServiceKey is { } key ? key + "_backend" : "backend";
        deps.Counters.Action(action.StartsWith("weight", StringComparison.Ordinal) ? prefix + "_weight" : prefix + "_" + action);
        var scope = admin.Scope;
        var text = $"{target}: {message} (applied on this {(scope == "node" ? "node only" : "whole cluster")})";
        AdminLog.Action(deps.Logger, Caller.Describe(context), action, target, "done");
        Find(deps, layer, backend.Cluster, backend.Id, out var after);
        return TypedResults.Json(new BackendActionResult(BackendViews.Backend(after ?? backend, deps.History(layer)), scope, text),
            AdminJson.Context.BackendActionResult);
    }

    private static string StateMessage(string state) => state switch
    {
        "drain" => "draining: no new sessions; sticky sessions and requests in flight continue",
        "maint" => "in maintenance: no traffic at all; sticky sessions move to other backends",
        _ => "ready: takes new and sticky traffic",
    };

    /// <summary>Null when found; otherwise the message for the 404.</summary>
    private static string? Find(Deps deps, BackendLayer layer, string cluster, string backend, out BackendSnapshot? found)
    {
        found = null;
        if (deps.Admin(layer) is not { } admin)
        {
            return layer.Missing;
        }

        var clusters = admin.Snapshot();
        var c = clusters.FirstOrDefault(x => string.Equals(x.Id, cluster, StringComparison.OrdinalIgnoreCase));
        if (c is null)
        {
            return UnknownCluster(layer, cluster, clusters);
        }

        found = c.Backends.FirstOrDefault(b => b.Id == backend);
        return found is null
            ? $"{layer.Noun} '{c.Id}' has no backend '{backend}'; its backends: {Names(c.Backends.Select(b => b.Id))}."
            : null;
    }

    private static string UnknownCluster(BackendLayer layer, string cluster, IReadOnlyList<ClusterSnapshot> clusters) =>
        $"no {layer.Noun} '{cluster}' on this node; {layer.Noun}s: {Names(clusters.Select(c => c.Id))}.";

    private static string Names(IEnumerable<string> names)
    {
        var text = string.Join(", ", names.Select(n => $"'{n}'"));
        return text.Length == 0 ? "none" : text;
    }

    /// <summary>What the endpoints need, injected as one; the admin source and history are looked up per layer.</summary>
    internal sealed class Deps(IServiceProvider services, AdminCounters counters, ILoggerFactory loggers)
    {
        public AdminCounters Counters { get; } = counters;
        public ILogger Logger { get; } = loggers.CreateLogger(AdminLog.Category);

        /// <summary>The layer's admin source, or null when the node has none for it.</summary>
        public IBackendAdmin? Admin(BackendLayer layer) => services.GetKeyedService<IBackendAdmin>(layer.ServiceKey);

        public TrafficHistory History(BackendLayer layer) => services.GetRequiredKeyedService<TrafficHistory>(layer.ServiceKey);
    }
}

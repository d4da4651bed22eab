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

/// <summary>Validate a configuration without applying it; reload the node's own file.</summary>
internal static class ConfigEndpoints
{
    public const string Trigger = "admin API";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/config/validate", async (HttpContext context, IConfigActions config) =>
        {
            var json = await JsonBody.ReadTextAsync(context.Request).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(json))
            {
                return Problems.Result(context, 400, "the body is empty: POST the whole configuration file (e.g. curl --data-binary @appliance.json).");
            }

            var result = await config.ValidateAsync(json, context.RequestAborted).ConfigureAwait(false);
            return TypedResults.Json(result, AdminJson.Context.ValidationResult);
        });

        api.MapPost("/config/reload", async (HttpContext context, IConfigActions config, AdminCounters counters, ILoggerFactory loggers) =>
        {
            var logger = loggers.CreateLogger(AdminLog.Category);
            var caller = Caller.Describe(context);
            if (config.ConfigPath is not { } path)
            {
                const string Detail = "this node was started without a configuration file (applianced demo, or a test): there is no file to reload.";
                AdminLog.Action(logger, caller, "config reload", "-", "refused: no file");
                return Problems.Result(context, 409, Detail);
            }

            counters.Action("config_reload");
            var outcome = await config.ReloadAsync(Trigger, context.RequestAborted).ConfigureAwait(false);
            if (!outcome.Applied)
            {
                AdminLog.Action(logger, caller, "config reload", path, $"refused with {outcome.Errors.Count} problem(s)");
                return Problems.Result(context, 422,
                    $"{path} was refused with {outcome.Errors.Count} problem(s); the last good configuration (revision {outcome.Revision}) keeps running. Fix the file and reload again.",
                    outcome.Errors);
            }

            AdminLog.Action(logger, caller, "config reload", path, $"applied, revision {outcome.Revision}");
            return TypedResults.Json(new ReloadResult(true, outcome.Revision, outcome.AppliedAt, path), AdminJson.Context.ReloadResult);
        });
    }
}

using System.Globalization;
using Appliance.Management.Sources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Management.Api;

/// <summary>Benchmark-only endpoints, off unless the node was started with <c>APPLIANCE_DIAGNOSTICS=1</c>.</summary>
internal static class DiagnosticEndpoints
{
    public const string Off =
        "diagnostics are off: they exist for benchmarks (bench/replication.sh) and are enabled only when applianced starts with APPLIANCE_DIAGNOSTICS=1.";

    public static void Map(IEndpointRouteBuilder api)
    {
        // POST /api/v1/diagnostics/sessions?count=N&rate=R: synthetic sessions bench/<run>/<n>, answered at once (202).
        api.MapPost("/diagnostics/sessions", (HttpContext context) =>
        {
            if (context.RequestServices.GetService<ISessionInjector>() is not { } injector)
            {
                return Problems.Result(context, 404, Off);
            }

            if (!TryRead(context, "count", 1, 10_000_000, out var count) || !TryRead(context, "rate", 0, 1_000_000, out var rate))
            {
                return Problems.Result(context, 400, "give count=1..10000000 and rate=0..1000000 (sessions per second; 0 = as fast as possible) in the query.");
            }

            return injector.Start(count, rate) is { } refusal ? Problems.Result(context, 409, refusal) : Results.Accepted();
        });
    }

    private static bool TryRead(HttpContext context, string name, int min, int max, out int value) =>
        int.TryParse(context.Request.Query[name], NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
}

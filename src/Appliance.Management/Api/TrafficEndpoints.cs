using Appliance.Management.Contracts;
using Appliance.Management.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Appliance.Management.Api;

/// <summary>Recent requests/s per backend, for the dashboard's chart.</summary>
internal static class TrafficEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/traffic", (HttpContext context, int? seconds, TrafficHistory history) =>
        {
            var points = seconds ?? history.Capacity;
            if (points < 1 || points > history.Capacity)
            {
                return Problems.Result(context, 400, $"'seconds' must be from 1 to {history.Capacity}.");
            }

            var series = history.Series(points)
                .Select(s => new TrafficSeries(s.Cluster, s.Backend, s.Requests, s.Errors))
                .ToList();
            return TypedResults.Json(new TrafficResponse((int)TrafficSampler.Interval.TotalSeconds, history.LastSample, series),
                AdminJson.Context.TrafficResponse);
        });
    }
}

using Appliance.Management.Contracts;
using Appliance.Management.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Management.Api;

/// <summary>Recent requests/s per HTTP backend (<c>/traffic</c>) and connections/s per TCP backend (<c>/tcp/traffic</c>), for the dashboard's charts.</summary>
internal static class TrafficEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        foreach (var layer in BackendLayer.All)
        {
            Map(api, layer);
        }
    }

    private static void Map(IEndpointRouteBuilder api, BackendLayer layer)
    {
        var route = layer.Root[..layer.Root.LastIndexOf('/')] + "/traffic";
        api.MapGet(route, (HttpContext context, int? seconds, IServiceProvider services) =>
        {
            var history = services.GetRequiredKeyedService<TrafficHistory>(layer.ServiceKey);
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

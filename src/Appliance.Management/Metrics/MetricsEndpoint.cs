using Appliance.Management.Sources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Appliance.Management.Metrics;

/// <summary><c>GET /metrics</c>: every registered <see cref="IMetricsSource"/>, then the admin listener's own counters.</summary>
internal static class MetricsEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", (IEnumerable<IMetricsSource> sources, AdminCounters counters) =>
        {
            var writer = new PrometheusWriter();
            foreach (var source in sources)
            {
                source.Write(writer);
            }

            counters.Write(writer);
            return TypedResults.Text(writer.ToString(), PrometheusWriter.ContentType);
        });
    }
}

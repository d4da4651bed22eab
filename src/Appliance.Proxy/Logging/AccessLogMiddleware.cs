using System.Diagnostics;
using System.Text.Json;
using Appliance.Proxy.Pipeline;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace Appliance.Proxy.Logging;

/// <summary>
/// One JSON object per request (time, client, method, path, status, duration, route, backend,
/// and why the balancer refused, if it did), written when AccessLog.Enabled. The writer follows
/// reloads: enabling, disabling or moving the log takes effect on the next request.
/// </summary>
internal sealed class AccessLogMiddleware(RequestDelegate next, ConfigStore configStore, AccessLogSink sink, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var options = configStore.Current.AccessLog;
        if (!options.Enabled)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var at = time.GetUtcNow();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            sink.For(options.Path).Write(Format(context, at, Stopwatch.GetElapsedTime(started)));
        }
    }

    private static string Format(HttpContext context, DateTimeOffset at, TimeSpan elapsed)
    {
        var proxy = context.Features.Get<IReverseProxyFeature>();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", at);
            json.WriteString("client", context.Connection.RemoteIpAddress?.ToString());
            json.WriteString("method", context.Request.Method);
            json.WriteString("path", context.Request.Path.Value);
            json.WriteString("protocol", context.Request.Protocol);
            json.WriteNumber("status", context.Response.StatusCode);
            json.WriteNumber("ms", Math.Round(elapsed.TotalMilliseconds, 3));
            json.WriteString("route", proxy?.Route.Config.RouteId);
            json.WriteString("backend", proxy?.ProxiedDestination?.DestinationId);
            if (context.Features.Get<RefusalFeature>() is { } refusal)
            {
                json.WriteString("refused", refusal.Reason);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

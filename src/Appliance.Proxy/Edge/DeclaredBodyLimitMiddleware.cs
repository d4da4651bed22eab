using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Appliance.Proxy.Edge;

/// <summary>
/// Answers 413 at once when a request declares a Content-Length above the body limit in force
/// (Kestrel's 30 MB by default, or the route's YARP <c>MaxRequestBodySize</c>). Kestrel would refuse
/// it too, but only when the body is first read, after YARP has already sent the request's head to
/// a backend. A chunked body has no declared length: Kestrel cuts it at the limit while streaming.
/// Runs first in the proxy pipeline, after routing has set the route's limit.
/// </summary>
internal sealed class DeclaredBodyLimitMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is long limit
            && context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            context.Response.Headers.Connection = "close"; // the body is not read: the connection cannot be reused
            return Task.CompletedTask;
        }

        return next(context);
    }
}

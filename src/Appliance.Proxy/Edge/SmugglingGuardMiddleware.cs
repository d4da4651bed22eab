using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Appliance.Proxy.Edge;

/// <summary>
/// Refuses HTTP/1.x requests framed two ways at once (Content-Length and Transfer-Encoding):
/// the classic request-smuggling shape (CL.TE / TE.CL). Kestrel already rejects malformed
/// framing such as duplicate Content-Length. For CL+TE it follows RFC 9112 (chunked wins, the
/// connection closes) and keeps the length as X-Content-Length; we refuse such a request outright
/// instead of forwarding something a backend or another hop might frame differently.
/// Transfer-Encoding in an HTTP/1.0 request means faulty framing (RFC 9112, section 6.1: HTTP/1.0
/// has no chunked coding, and an HTTP/1.0 hop behind us would read the body differently); Kestrel
/// accepts it, so it is refused here as well.
/// Control characters in the request target (Kestrel refuses NUL but passes others) are refused
/// too: no backend should have to guess what they mean. CONNECT (a tunnel request, which a reverse
/// proxy does not serve; YARP would answer 502 and log a warning with a stack trace for each) gets
/// 405; HTTP/2's extended CONNECT for WebSockets is not affected.
/// </summary>
internal sealed class SmugglingGuardMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (headers.ContainsKey("Transfer-Encoding")
            && (headers.ContainsKey("Content-Length") || headers.ContainsKey("X-Content-Length")
                || HttpProtocol.IsHttp10(context.Request.Protocol)))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.Headers.Connection = "close";
            return Task.CompletedTask;
        }

        if (HasControlCharacter(context.Features.Get<IHttpRequestFeature>()?.RawTarget))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.Headers.Connection = "close";
            return Task.CompletedTask;
        }

        if (HttpMethods.IsConnect(context.Request.Method)
            && context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect != true)
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Connection = "close";
            return Task.CompletedTask;
        }

        return next(context);
    }

    private static bool HasControlCharacter(string? target)
    {
        foreach (var c in target.AsSpan())
        {
            if (c < 0x20 || c == 0x7F)
            {
                return true;
            }
        }

        return false;
    }
}

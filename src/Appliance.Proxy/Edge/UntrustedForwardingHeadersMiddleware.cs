using System.Net;
using Microsoft.AspNetCore.Http;

namespace Appliance.Proxy.Edge;

/// <summary>
/// Removes the client-address headers this product does not write itself from requests whose peer
/// is not a trusted proxy (<c>ForwardedHeaders.TrustedProxies</c>), so a client cannot speak for
/// itself to a backend that reads them. YARP already replaces X-Forwarded-For, -Proto, -Host and
/// -Prefix with values from the connection; these are the others a backend might believe.
/// </summary>
internal sealed class UntrustedForwardingHeadersMiddleware(RequestDelegate next, Tcp.TrustedNetworks trusted)
{
    /// <summary>RFC 7239 <c>Forwarded</c>, nginx's <c>X-Real-IP</c>, and the X-Forwarded-*/X-Original-* variants nothing here sets.</summary>
    public static readonly IReadOnlyList<string> Removed =
        ["Forwarded", "X-Real-IP", "X-Forwarded-Port", "X-Forwarded-Server", "X-Original-For", "X-Original-Host", "X-Original-Proto"];

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Connection.RemoteIpAddress is not IPAddress peer || !trusted.Contains(peer))
        {
            var headers = context.Request.Headers;
            foreach (var name in Removed)
            {
                headers.Remove(name);
            }
        }

        return next(context);
    }
}

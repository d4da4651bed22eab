using System.Net;
using Appliance.Core.Configuration;
using Microsoft.AspNetCore.Http;

namespace Appliance.Proxy.LoadBalancing;

/// <summary>Reads the consistent-hash key a cluster is configured to use from a request.</summary>
internal static class HashKeyReader
{
    public static PickContext Read(HttpContext context, HashKeyOptions options)
    {
        switch (options.Source.ToUpperInvariant())
        {
            case "HEADER":
                var header = context.Request.Headers[options.Name ?? ""];
                return header.Count == 0 ? PickContext.None : new(StableHash.Of(header.ToString()), true);
            case "COOKIE":
                return context.Request.Cookies.TryGetValue(options.Name ?? "", out var cookie) && cookie.Length > 0
                    ? new(StableHash.Of(cookie), true)
                    : PickContext.None;
            case "CLIENTIP":
                return OfAddress(context.Connection.RemoteIpAddress);
            default:
                var request = context.Request;
                var text = request.QueryString.HasValue
                    ? string.Concat(request.PathBase.Value, request.Path.Value, request.QueryString.Value)
                    : string.Concat(request.PathBase.Value, request.Path.Value);
                return new(StableHash.Of(text), true);
        }
    }

    public static PickContext OfAddress(IPAddress? address)
    {
        if (address is null)
        {
            return PickContext.None;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4(); // one client, one key, whichever socket family accepted it
        }

        Span<byte> bytes = stackalloc byte[16];
        return address.TryWriteBytes(bytes, out var written)
            ? new(StableHash.Of(bytes[..written]), true)
            : PickContext.None;
    }
}

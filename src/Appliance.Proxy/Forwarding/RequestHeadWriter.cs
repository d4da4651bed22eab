using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Appliance.Proxy.Forwarding;

/// <summary>How the request body goes to the backend.</summary>
internal enum RequestBodyFraming
{
    None,
    ContentLength,
    Chunked,
}

/// <summary>What the proxy itself decides about the request it sends: target, Host, X-Forwarded-* values, body framing.</summary>
internal readonly record struct OutgoingRequest(
    string Method,
    string Target,
    string Host,
    string? ForwardedFor,
    string ForwardedProto,
    string ForwardedHost,
    string? ForwardedPrefix,
    RequestBodyFraming BodyFraming,
    long ContentLength);

/// <summary>
/// Writes the HTTP/1.1 request head sent to a backend, with the header handling of YARP's default
/// transforms: hop-by-hop and proxy-only fields dropped, Host set to the destination, and
/// X-Forwarded-For/-Proto/-Host/-Prefix replaced (never appended) by the proxy's own values.
/// Body framing is the proxy's: Content-Length when known, otherwise chunked.
/// </summary>
internal static class RequestHeadWriter
{
    private static readonly FrozenSet<string> Dropped = new[]
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "Close", "Transfer-Encoding", "TE", "Upgrade",
        "Content-Length", "Expect", "Alt-Svc", "ALPN", "HTTP2-Settings", "Security-Scheme",
        "Proxy-Authenticate", "Proxy-Authentication-Info", "Proxy-Authorization", "Proxy-Features", "Proxy-Instruction",
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static void Write(HeadBuffer buffer, in OutgoingRequest request, IHeaderDictionary headers)
    {
        buffer.Clear();
        buffer.Append(request.Method);
        buffer.Append(" "u8);
        buffer.Append(request.Target);
        buffer.Append(" HTTP/1.1\r\nHost: "u8);
        buffer.Append(request.Host);
        buffer.Append("\r\n"u8);
        foreach (var (name, values) in headers)
        {
            if (IsDropped(name, values))
            {
                continue;
            }

            WriteField(buffer, name, values);
        }

        if (request.ForwardedFor is { } client)
        {
            Field(buffer, "X-Forwarded-For: "u8, client);
        }

        Field(buffer, "X-Forwarded-Proto: "u8, request.ForwardedProto);
        Field(buffer, "X-Forwarded-Host: "u8, request.ForwardedHost);
        if (request.ForwardedPrefix is { Length: > 0 } prefix)
        {
            Field(buffer, "X-Forwarded-Prefix: "u8, prefix);
        }

        switch (request.BodyFraming)
        {
            case RequestBodyFraming.ContentLength:
                buffer.Append("Content-Length: "u8);
                buffer.Append(request.ContentLength);
                buffer.Append("\r\n"u8);
                break;
            case RequestBodyFraming.Chunked:
                buffer.Append("Transfer-Encoding: chunked\r\n"u8);
                break;
        }

        buffer.Append("\r\n"u8);
    }

    private static void Field(HeadBuffer buffer, ReadOnlySpan<byte> nameAndColon, string value)
    {
        if (HasLineBreak(value))
        {
            return;
        }

        buffer.Append(nameAndColon);
        buffer.Append(value);
        buffer.Append("\r\n"u8);
    }

    /// <summary>Several values go on one line, comma-joined; Cookie values are joined with "; " as RFC 6265 wants.</summary>
    private static void WriteField(HeadBuffer buffer, string name, StringValues values)
    {
        if (values.Count == 0)
        {
            return;
        }

        foreach (var value in values)
        {
            if (value is null || HasLineBreak(value))
            {
                return; // YARP drops such a field too: a line break would start a header of the client's choosing
            }
        }

        buffer.Append(name);
        buffer.Append(": "u8);
        var separator = string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase) ? "; "u8 : ", "u8;
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                buffer.Append(separator);
            }

            buffer.Append(values[i]!);
        }

        buffer.Append("\r\n"u8);
    }

    private static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0;

    /// <summary>
    /// Fields about this connection only (hop-by-hop), about the proxy, or that the proxy writes
    /// itself. TE passes only as "trailers", as YARP does.
    /// </summary>
    internal static bool IsDropped(string name, StringValues values)
    {
        if (name.Length == 0 || name[0] == ':')
        {
            return true;
        }

        if (!Dropped.Contains(name))
        {
            return false;
        }

        // TE: trailers says the client takes trailer fields (gRPC needs it); any other TE is hop-by-hop.
        return !(string.Equals(name, "TE", StringComparison.OrdinalIgnoreCase)
            && values.Count == 1 && string.Equals(values[0], "trailers", StringComparison.OrdinalIgnoreCase));
    }
}

using System.Collections.Frozen;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Appliance.Proxy.Forwarding;

/// <summary>
/// Puts a backend's status and header fields on the client's response, leaving out what belongs
/// to the backend connection only (as YARP does) and the framing fields Kestrel writes itself.
/// </summary>
internal static class ResponseHeadCopier
{
    private static readonly FrozenSet<string> Dropped = new[]
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Close", "Transfer-Encoding", "TE", "Upgrade", "Trailer",
        "Alt-Svc", "ALPN", "HTTP2-Settings", "Security-Scheme",
        "Proxy-Authenticate", "Proxy-Authentication-Info", "Proxy-Authorization", "Proxy-Features", "Proxy-Instruction",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Field names most answers carry, so their names are not allocated per response.</summary>
    private static readonly string[] CommonNames =
    [
        "Content-Type", "Date", "Server", "Cache-Control", "Set-Cookie", "ETag", "Last-Modified", "Vary", "Location",
        "Expires", "Content-Encoding", "Accept-Ranges", "Access-Control-Allow-Origin", "X-Content-Type-Options",
        "Strict-Transport-Security", "Pragma", "Content-Language", "Content-Disposition", "Age", "Link",
    ];

    public static void Copy(ReadOnlySpan<byte> head, ReadOnlySpan<HeaderRange> fields, in ResponseHead parsed, HttpResponse response)
    {
        response.StatusCode = parsed.Status;
        var headers = response.Headers;
        foreach (var field in fields)
        {
            var nameBytes = head.Slice(field.NameStart, field.NameLength);
            if (nameBytes.EqualsIgnoreCase("Content-Length"u8))
            {
                continue; // set below from the parsed framing
            }

            var name = NameOf(nameBytes);
            if (Dropped.Contains(name))
            {
                continue;
            }

            var value = Encoding.Latin1.GetString(head.Slice(field.ValueStart, field.ValueLength));
            if (headers.TryGetValue(name, out var existing))
            {
                headers[name] = Microsoft.Extensions.Primitives.StringValues.Concat(existing, value);
            }
            else
            {
                headers[name] = value;
            }
        }

        // Kestrel frames the body to the client: a known length is kept (a HEAD answer's too, where it
        // describes the GET); otherwise Kestrel chunks. 204 and 1xx carry none by definition.
        if (parsed.ContentLength >= 0 && parsed.Framing is BodyFraming.ContentLength or BodyFraming.None && parsed.Status is not 204 and >= 200)
        {
            response.ContentLength = parsed.ContentLength;
        }
    }

    private static string NameOf(ReadOnlySpan<byte> name)
    {
        foreach (var common in CommonNames)
        {
            if (common.Length == name.Length && Ascii.Equals(name, common))
            {
                return common;
            }
        }

        return Encoding.ASCII.GetString(name);
    }
}

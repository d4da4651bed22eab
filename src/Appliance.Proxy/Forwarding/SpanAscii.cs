using System.Text;

namespace Appliance.Proxy.Forwarding;

internal static class SpanAscii
{
    /// <summary>ASCII case-insensitive equality of a header name or token with a literal.</summary>
    public static bool EqualsIgnoreCase(this ReadOnlySpan<byte> value, ReadOnlySpan<byte> literal) =>
        Ascii.EqualsIgnoreCase(value, literal);
}

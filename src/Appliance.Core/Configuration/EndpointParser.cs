using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Sockets;

namespace Appliance.Core.Configuration;

/// <summary>
/// Parses listen addresses written as <c>host:port</c>: <c>0.0.0.0:443</c>, <c>[::]:80</c>,
/// <c>[::1]:9900</c>, <c>*:8080</c> (every address, IPv4 and IPv6) or <c>localhost:8080</c>
/// (both loopback addresses).
/// </summary>
public static class EndpointParser
{
    /// <summary>The host text meaning "every local address".</summary>
    public const string AnyHost = "*";

    /// <summary>The host text meaning "both loopback addresses".</summary>
    public const string LocalhostHost = "localhost";

    /// <summary>
    /// Splits <paramref name="text"/> into a host and a port from 1 to 65535. <paramref name="host"/> is
    /// <see cref="AnyHost"/>, <see cref="LocalhostHost"/>, a dotted IPv4 address or an IPv6 address
    /// without brackets (so <see cref="System.Net.IPAddress.Parse(string)"/> takes it as it is).
    /// Host names other than localhost are refused: a listener binds addresses, not names.
    /// </summary>
    public static bool TryParseEndpoint(string? text, out string host, out int port) =>
        TryParseEndpoint(text, out host, out port, out _);

    /// <summary>How to write a listener address; the default hint of <see cref="TryParseEndpoint(string?, out string, out int, out string?, string)"/>.</summary>
    internal const string ListenerExamples = "write host:port, e.g. \"0.0.0.0:443\", \"[::]:443\", \"*:80\" or \"localhost:8080\".";

    /// <summary>
    /// As <see cref="TryParseEndpoint(string?, out string, out int)"/>, with the reason for a refusal;
    /// <paramref name="examples"/> is the hint given when the shape is wrong (a listener's by default).
    /// </summary>
    internal static bool TryParseEndpoint(
        string? text, out string host, out int port, [NotNullWhen(false)] out string? error, string examples = ListenerExamples)
    {
        host = "";
        port = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "no address given; " + examples;
            return false;
        }

        text = text.Trim();
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"'{text}' has no port; " + examples;
            return false;
        }

        var hostText = text[..colon];
        var portText = text[(colon + 1)..];
        if (portText.Length is 0 or > 5
            || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port)
            || port is < 1 or > 65535)
        {
            port = 0;
            error = $"'{portText}' in '{text}' is not a port: use a number from 1 to 65535.";
            return false;
        }

        if (!TryParseHost(hostText, out host))
        {
            port = 0;
            error = hostText.Contains(':', StringComparison.Ordinal) && !hostText.StartsWith('[')
                ? $"'{text}' looks like an IPv6 address without brackets: write it as \"[{hostText}]:{portText}\"."
                : $"'{hostText}' in '{text}' is not an IP address, * or localhost; " + examples;
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>
    /// Parses a destination written as <c>ip:port</c> (<c>10.0.1.11:5432</c>, <c>[2001:db8::11]:5432</c>):
    /// one concrete address, so <c>*</c>, <c>localhost</c>, host names and unspecified addresses are refused.
    /// </summary>
    internal static bool TryParseDestination(
        string? text, [NotNullWhen(true)] out System.Net.IPEndPoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        if (!TryParseEndpoint(text, out var host, out var port, out error, "write the backend's ip:port, e.g. \"10.0.1.11:5432\" or \"[2001:db8::11]:5432\"."))
        {
            return false;
        }

        if (host is AnyHost or LocalhostHost)
        {
            error = $"'{text}' does not name one address: write the backend's IP address, e.g. \"127.0.0.1:{port}\" or \"10.0.1.11:{port}\".";
            return false;
        }

        var address = System.Net.IPAddress.Parse(host);
        if (address.Equals(System.Net.IPAddress.Any) || address.Equals(System.Net.IPAddress.IPv6Any))
        {
            error = $"'{text}' is the unspecified address, which cannot be connected to: write the backend's own IP address.";
            return false;
        }

        endpoint = new System.Net.IPEndPoint(address, port);
        return true;
    }

    private static bool TryParseHost(string text, out string host)
    {
        host = "";
        if (text == AnyHost || string.Equals(text, LocalhostHost, StringComparison.OrdinalIgnoreCase))
        {
            host = text.ToLowerInvariant();
            return true;
        }

        if (text.Length > 2 && text[0] == '[' && text[^1] == ']')
        {
            if (IpText.TryParseAddress(text[1..^1], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
            {
                host = v6.ToString();
                return true;
            }

            return false;
        }

        if (!text.Contains(':', StringComparison.Ordinal) && IpText.TryParseAddress(text, out var v4))
        {
            host = v4.ToString();
            return true;
        }

        return false;
    }
}

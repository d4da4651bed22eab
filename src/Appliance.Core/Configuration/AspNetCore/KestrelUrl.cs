using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Appliance.Core.Configuration;

/// <summary>A Kestrel URL (<c>http://*:8080</c>, <c>https://[::]:443</c>) as one of our listener addresses.</summary>
internal readonly record struct KestrelUrl(string Address, bool Https)
{
    /// <summary>
    /// Parses a URL as Kestrel binds it: <c>*</c> and <c>+</c> are every address, <c>localhost</c> both
    /// loopbacks, a missing port is 80 or 443. Kestrel binds a host name other than localhost on every
    /// address too; that is accepted with a <paramref name="warning"/>.
    /// </summary>
    public static bool TryParse(string url, out KestrelUrl parsed, [NotNullWhen(false)] out string? error, out string? warning)
    {
        parsed = default;
        warning = null;
        var text = url.Trim();
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var https = scheme > 0 && text[..scheme].Equals("https", StringComparison.OrdinalIgnoreCase);
        if (scheme <= 0 || !(https || text[..scheme].Equals("http", StringComparison.OrdinalIgnoreCase)))
        {
            error = "not an http or https URL: write e.g. \"http://*:8080\" or \"https://0.0.0.0:8443\" (unix sockets and named pipes are not served).";
            return false;
        }

        var rest = text[(scheme + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (rest[slash..] != "/")
            {
                error = $"a path ('{rest[slash..]}') is not allowed in a listen URL (Kestrel refuses it too): match paths with a route's Match.Path.";
                return false;
            }

            rest = rest[..slash];
        }

        string host;
        string? portText = null;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = "the IPv6 address has no closing ']': write e.g. \"http://[::]:8080\".";
                return false;
            }

            host = rest[1..close];
            portText = rest.Length > close + 1 && rest[close + 1] == ':' ? rest[(close + 2)..] : null;
        }
        else
        {
            var colon = rest.LastIndexOf(':');
            host = colon >= 0 ? rest[..colon] : rest;
            portText = colon >= 0 ? rest[(colon + 1)..] : null;
        }

        var port = https ? 443 : 80;
        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"'{portText}' is not a port from 1 to 65535 (port 0, any free port, is not served: a balancer's clients need to know it).";
            return false;
        }

        string address;
        if (host is "*" or "+" || host.Length == 0)
        {
            address = $"{EndpointParser.AnyHost}:{port}";
        }
        else if (host.Equals(EndpointParser.LocalhostHost, StringComparison.OrdinalIgnoreCase))
        {
            address = $"{EndpointParser.LocalhostHost}:{port}";
        }
        else if (IPAddress.TryParse(host, out var ip))
        {
            address = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]:{port}" : $"{ip}:{port}";
        }
        else
        {
            warning = $"'{host}' is a host name; Kestrel binds it on every address, and so does the appliance (*:{port}). Restrict names with a route's Match.Hosts or AllowedHosts.";
            address = $"{EndpointParser.AnyHost}:{port}";
        }

        parsed = new KestrelUrl(address, https);
        error = null;
        return true;
    }
}

/// <summary>A Kestrel certificate object as one of ours: PEM files only (<c>Path</c> and <c>KeyPath</c>).</summary>
internal static class KestrelCertificate
{
    public static CertificateOptions? Read(JsonElement certificate, string path, ICollection<ConfigError> errors)
    {
        if (certificate.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(path, $"expected {{ \"Path\": \"site.crt\", \"KeyPath\": \"site.key\" }}, found {JsonPaths.Describe(certificate)}."));
            return null;
        }

        string? file = null;
        string? key = null;
        var ok = true;
        foreach (var member in certificate.EnumerateObject())
        {
            var memberPath = JsonPaths.Property(path, member.Name);
            switch (member.Name.ToUpperInvariant())
            {
                case "PATH":
                    file = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString() : null;
                    break;
                case "KEYPATH":
                    key = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString() : null;
                    break;
                case "PASSWORD":
                    // The value is never repeated.
                    errors.Add(new(memberPath, "password-protected keys and PKCS#12 files are not supported: give an unencrypted PEM key "
                        + "(e.g. `openssl pkey -in site.key -out site.plain.key`) readable only by the appliance user."));
                    ok = false;
                    break;
                case "SUBJECT" or "STORE" or "LOCATION" or "ALLOWINVALID":
                    errors.Add(new(memberPath, "certificate stores are not supported: give the certificate as PEM files, \"Path\" and \"KeyPath\"."));
                    ok = false;
                    break;
                default:
                    errors.Add(new(memberPath, $"'{member.Name}' is not a certificate key: use \"Path\" and \"KeyPath\" (PEM files)."));
                    ok = false;
                    break;
            }
        }

        if (string.IsNullOrWhiteSpace(file))
        {
            errors.Add(new(JsonPaths.Property(path, "Path"), "no certificate file: set \"Path\" to the PEM certificate (chain) and \"KeyPath\" to its key."));
            return null;
        }

        if (string.IsNullOrWhiteSpace(key))
        {
            var pkcs12 = file.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
            errors.Add(new(JsonPaths.Property(path, "KeyPath"), pkcs12
                ? "PKCS#12 (.pfx) files are not supported: convert to PEM (`openssl pkcs12 -in site.pfx -nokeys -out site.crt` and `-nocerts -nodes -out site.key`) and set Path and KeyPath."
                : "no key file: set \"KeyPath\" to the certificate's PEM private key."));
            return null;
        }

        return ok ? new CertificateOptions { Certificate = file, Key = key } : null;
    }
}

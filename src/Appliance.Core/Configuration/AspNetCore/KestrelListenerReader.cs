using System.Text.Json;

namespace Appliance.Core.Configuration;

/// <summary>
/// Turns the listener keys of an ASP.NET Core file, <c>Urls</c> and <c>Kestrel:Endpoints</c>, into
/// our <see cref="ListenerOptions"/>, so a YARP <c>appsettings.json</c> serves on the addresses it
/// names. What Kestrel would do differently in a way that changes what is served (a certificate
/// store, client certificates, HTTP/3 only) is an error; what only tunes Kestrel is a warning.
/// </summary>
internal sealed class KestrelListenerReader(ICollection<ConfigError> errors, ICollection<ConfigError> warnings)
{
    private static readonly string[] EndpointKeys = ["Url", "Protocols", "Certificate", "Sni", "SslProtocols", "ClientCertificateMode"];
    private static readonly string[] SniKeys = ["Certificate", "Protocols", "SslProtocols", "ClientCertificateMode"];

    private sealed record Defaults(string? Protocols, string? MinimumProtocol, JsonElement? Certificate);

    /// <summary>Listeners from <c>Urls</c> (one per URL, separated by ';').</summary>
    public List<ListenerOptions> ReadUrls(JsonElement urls, string path, JsonElement? defaultCertificate)
    {
        var listeners = new List<ListenerOptions>();
        if (urls.ValueKind != JsonValueKind.String)
        {
            errors.Add(new(path, $"expected text such as \"http://*:8080;https://*:8443\", found {JsonPaths.Describe(urls)}."));
            return listeners;
        }

        var items = urls.GetString()!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var url in items)
        {
            if (KestrelUrl.TryParse(url, out var parsed, out var error, out var warning) is false)
            {
                errors.Add(new(path, $"'{url}': {error}"));
                continue;
            }

            if (warning is not null)
            {
                warnings.Add(new(path, $"'{url}': {warning}"));
            }

            var source = new ListenerSource(path, path, path, path, path, []);
            ListenerOptions? listener = new ListenerOptions { Name = url, Address = parsed.Address, Source = source };
            if (parsed.Https)
            {
                if (defaultCertificate is null)
                {
                    errors.Add(new(path, $"'{url}' needs a certificate, and an ASP.NET development certificate does not exist here: give Kestrel.Certificates.Default "
                        + "{ \"Path\": \"/etc/appliance/tls/site.crt\", \"KeyPath\": \"/etc/appliance/tls/site.key\" } (PEM files)."));
                    continue;
                }

                listener = WithTls(listener, path, certificate: null, defaultCertificate, [], "$.Kestrel.Certificates.Default");
            }

            if (listener is not null)
            {
                listeners.Add(listener);
            }
        }

        return listeners;
    }

    /// <summary>Listeners from <c>Kestrel</c>: its <c>Endpoints</c>, with <c>EndpointDefaults</c> and <c>Certificates.Default</c> applied.</summary>
    public List<ListenerOptions> ReadKestrel(JsonElement kestrel, string path)
    {
        var listeners = new List<ListenerOptions>();
        if (kestrel.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(path, $"expected an object with \"Endpoints\", found {JsonPaths.Describe(kestrel)}."));
            return listeners;
        }

        var defaults = new Defaults(null, null, DefaultCertificate(kestrel));
        JsonElement? endpoints = null;
        foreach (var member in kestrel.EnumerateObject())
        {
            var memberPath = JsonPaths.Property(path, member.Name);
            switch (member.Name.ToUpperInvariant())
            {
                case "ENDPOINTS":
                    endpoints = member.Value;
                    break;
                case "ENDPOINTDEFAULTS":
                    defaults = ReadDefaults(member.Value, memberPath, defaults);
                    break;
                case "CERTIFICATES":
                    foreach (var certificate in Objects(member.Value, memberPath))
                    {
                        if (!certificate.Name.Equals("Default", StringComparison.OrdinalIgnoreCase))
                        {
                            warnings.Add(new(JsonPaths.Property(memberPath, certificate.Name), "ignored: only Kestrel.Certificates.Default is used (for https URLs and endpoints without a Certificate)."));
                        }
                    }

                    break;
                case "LIMITS":
                    foreach (var limit in Objects(member.Value, memberPath))
                    {
                        warnings.Add(new(JsonPaths.Property(memberPath, limit.Name), "ignored: Kestrel's limits are the appliance's own here "
                            + "(Listeners[].MaxConnections, a route's MaxRequestBodySize, Balancing timeouts; see docs/configuration.md)."));
                    }

                    break;
                default:
                    warnings.Add(new(memberPath, "ignored: not a Kestrel setting the appliance reads (it reads Endpoints, EndpointDefaults and Certificates.Default)."));
                    break;
            }
        }

        if (endpoints is { } section)
        {
            foreach (var (name, endpoint, endpointPath) in Objects(section, JsonPaths.Property(path, "Endpoints")).Select(e => (e.Name, e.Value, e.Path)))
            {
                if (ReadEndpoint(name, endpoint, endpointPath, defaults) is { } listener)
                {
                    listeners.Add(listener);
                }
            }
        }

        return listeners;
    }

    private ListenerOptions? ReadEndpoint(string name, JsonElement endpoint, string path, Defaults defaults)
    {
        if (endpoint.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(path, $"expected an endpoint object such as {{ \"Url\": \"http://*:8080\" }}, found {JsonPaths.Describe(endpoint)}."));
            return null;
        }

        WarnUnknown(endpoint, path, EndpointKeys);
        var urlPath = JsonPaths.Property(path, "Url");
        var url = Text(endpoint, "Url", path);
        if (url is null)
        {
            errors.Add(new(urlPath, "the endpoint has no Url: write e.g. \"http://*:8080\" or \"https://0.0.0.0:8443\"."));
            return null;
        }

        if (!KestrelUrl.TryParse(url, out var parsed, out var error, out var warning))
        {
            errors.Add(new(urlPath, $"'{url}': {error}"));
            return null;
        }

        if (warning is not null)
        {
            warnings.Add(new(urlPath, $"'{url}': {warning}"));
        }

        RefuseClientCertificates(endpoint, path);
        var protocolsPath = JsonPaths.Property(path, "Protocols");
        var protocols = Protocols(Text(endpoint, "Protocols", path), protocolsPath) ?? defaults.Protocols ?? "Http1AndHttp2";
        var minimumPath = JsonPaths.Property(path, "SslProtocols");
        var minimum = MinimumProtocol(Member(endpoint, "SslProtocols"), minimumPath) ?? defaults.MinimumProtocol;
        var listener = new ListenerOptions
        {
            Name = name,
            Address = parsed.Address,
            Protocols = protocols,
            Source = new ListenerSource(path, path, urlPath, protocolsPath, minimumPath, []),
        };

        var sni = Member(endpoint, "Sni");
        if (!parsed.Https)
        {
            if (Member(endpoint, "Certificate") is not null || sni is not null)
            {
                warnings.Add(new(urlPath, "ignored: Certificate and Sni apply to https URLs only; this one is http."));
            }

            return listener;
        }

        var sniEntries = sni is { } sniSection ? ReadSni(sniSection, JsonPaths.Property(path, "Sni"), protocols, minimum) : [];
        var secure = WithTls(listener, path, Member(endpoint, "Certificate"), defaults.Certificate, sniEntries, JsonPaths.Property(path, "Certificate"));
        return secure?.Tls is { } tls && minimum is not null ? secure with { Tls = tls with { MinimumProtocol = minimum } } : secure;
    }

    /// <summary>Sni entries as (host, certificate object, path), each checked against what the endpoint serves.</summary>
    private List<(string Host, JsonElement Certificate, string Path)> ReadSni(JsonElement sni, string path, string protocols, string? minimum)
    {
        var entries = new List<(string, JsonElement, string)>();
        var hasFallback = false;
        foreach (var (host, entry, entryPath) in Objects(sni, path))
        {
            hasFallback |= host == "*";
            if (entry.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new(entryPath, $"expected an object such as {{ \"Certificate\": {{ \"Path\": \"site.crt\", \"KeyPath\": \"site.key\" }} }}, found {JsonPaths.Describe(entry)}."));
                continue;
            }

            WarnUnknown(entry, entryPath, SniKeys);
            RefuseClientCertificates(entry, entryPath);
            if (Protocols(Text(entry, "Protocols", entryPath), JsonPaths.Property(entryPath, "Protocols")) is { } own && !own.Equals(protocols, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new(JsonPaths.Property(entryPath, "Protocols"), $"'{own}' differs from the endpoint's '{protocols}': protocols are chosen per listener here; set them on the endpoint."));
            }

            var sniMinimum = MinimumProtocol(Member(entry, "SslProtocols"), JsonPaths.Property(entryPath, "SslProtocols"));
            if (sniMinimum is not null && !string.Equals(sniMinimum, minimum ?? "Tls12", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new(JsonPaths.Property(entryPath, "SslProtocols"), "TLS versions are chosen per listener here: set SslProtocols on the endpoint."));
            }

            if (Member(entry, "Certificate") is { } certificate)
            {
                entries.Add((host, certificate, JsonPaths.Property(entryPath, "Certificate")));
            }
        }

        if (!hasFallback)
        {
            warnings.Add(new(path, "no \"*\" entry: Kestrel would refuse a handshake for any other name; here it is answered with the endpoint's certificate "
                + "(or the first Sni one). Add \"*\" to say which."));
        }

        return entries;
    }

    /// <summary>TLS from the endpoint's certificate (or the default one) and the Sni certificates; null when there is none (reported).</summary>
    private ListenerOptions? WithTls(ListenerOptions listener, string path, JsonElement? certificate, JsonElement? defaultCertificate,
        List<(string Host, JsonElement Certificate, string Path)> sni, string certificatePath)
    {
        var certificates = new List<CertificateOptions>();
        var sources = new List<CertificateSource>();
        var fallback = sni.FindIndex(e => e.Host == "*");
        var own = certificate ?? (fallback >= 0 ? null : defaultCertificate);
        var ownPath = certificate is not null || fallback >= 0 ? certificatePath : "$.Kestrel.Certificates.Default";
        if (fallback >= 0)
        {
            (own, ownPath) = (sni[fallback].Certificate, sni[fallback].Path);
        }

        if (own is { } first && KestrelCertificate.Read(first, ownPath, errors) is { } read)
        {
            certificates.Add(read);
            sources.Add(CertificateSource.Kestrel(ownPath, ownPath));
        }

        foreach (var (host, entry, entryPath) in sni.Where(e => e.Host != "*"))
        {
            if (KestrelCertificate.Read(entry, entryPath, errors) is { } named)
            {
                certificates.Add(named with { HostNames = [host] });
                sources.Add(CertificateSource.Kestrel(entryPath, entryPath[..entryPath.LastIndexOf('.')]));
            }
        }

        if (certificates.Count == 0)
        {
            if (own is null && sni.Count == 0)
            {
                errors.Add(new(path, "an https URL needs a certificate, and an ASP.NET development certificate does not exist here: give the endpoint "
                    + "\"Certificate\": { \"Path\": \"/etc/appliance/tls/site.crt\", \"KeyPath\": \"/etc/appliance/tls/site.key\" } (PEM files), or Kestrel.Certificates.Default."));
            }

            return null; // a certificate that could not be read is reported where it is written
        }

        var source = listener.Source! with { Certificates = sources };
        return listener with { Tls = new TlsOptions { Certificates = certificates }, Source = source };
    }

    private Defaults ReadDefaults(JsonElement defaults, string path, Defaults current)
    {
        if (defaults.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(path, $"expected an object, found {JsonPaths.Describe(defaults)}."));
            return current;
        }

        WarnUnknown(defaults, path, ["Protocols", "SslProtocols", "ClientCertificateMode"]);
        RefuseClientCertificates(defaults, path);
        return current with
        {
            Protocols = Protocols(Text(defaults, "Protocols", path), JsonPaths.Property(path, "Protocols")),
            MinimumProtocol = MinimumProtocol(Member(defaults, "SslProtocols"), JsonPaths.Property(path, "SslProtocols")),
        };
    }

    private static JsonElement? DefaultCertificate(JsonElement kestrel) =>
        Member(kestrel, "Certificates") is { ValueKind: JsonValueKind.Object } certificates ? Member(certificates, "Default") : null;

    /// <summary>Kestrel's protocol names in ours; HTTP/3 is not served (clients fall back to HTTP/2 or 1.1 over TCP).</summary>
    private string? Protocols(string? value, string path)
    {
        switch (value?.Trim().ToUpperInvariant())
        {
            case null:
                return null;
            case "HTTP1":
                return "Http1";
            case "HTTP2":
                return "Http2";
            case "HTTP1ANDHTTP2":
                return "Http1AndHttp2";
            case "HTTP1ANDHTTP2ANDHTTP3":
                warnings.Add(new(path, "HTTP/3 is not served here: the endpoint serves Http1AndHttp2, which HTTP/3 clients fall back to."));
                return "Http1AndHttp2";
            default:
                errors.Add(new(path, $"'{value}' is not served here: use Http1, Http2 or Http1AndHttp2 (HTTP/3 is not supported)."));
                return null;
        }
    }

    /// <summary>Kestrel's SslProtocols (a list, or text with commas) as our lowest accepted version.</summary>
    private string? MinimumProtocol(JsonElement? value, string path)
    {
        if (value is not { } element)
        {
            return null;
        }

        IEnumerable<string> names = element.ValueKind switch
        {
            JsonValueKind.Array => element.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()),
            JsonValueKind.String => element.GetString()!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            _ => ["?"],
        };
        var set = names.Select(n => n.ToUpperInvariant()).ToHashSet();
        set.Remove("NONE"); // the system's choice: TLS 1.2 and 1.3 on the appliance
        if (set.Count == 0 || set.SetEquals(["TLS12", "TLS13"]) || set.SetEquals(["TLS12"]))
        {
            return "Tls12";
        }

        if (set.SetEquals(["TLS13"]))
        {
            return "Tls13";
        }

        errors.Add(new(path, $"{element.GetRawText()} is not accepted: use [\"Tls12\", \"Tls13\"] or [\"Tls13\"] (TLS 1.1 and older are refused, RFC 8996)."));
        return null;
    }

    private void RefuseClientCertificates(JsonElement owner, string path)
    {
        if (Text(owner, "ClientCertificateMode", path) is { } mode && !mode.Equals("NoCertificate", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new(JsonPaths.Property(path, "ClientCertificateMode"), $"'{mode}' is not supported: client certificates are not asked for here, "
                + "so clients Kestrel would refuse would be served. Remove it, or terminate client-certificate TLS in front of the appliance."));
        }
    }

    private void WarnUnknown(JsonElement owner, string path, IReadOnlyList<string> known)
    {
        foreach (var member in owner.EnumerateObject())
        {
            if (PolicyNames.Find(known, member.Name) is null)
            {
                warnings.Add(new(JsonPaths.Property(path, member.Name), $"ignored: not a key the appliance reads here ({string.Join(", ", known)})."
                    + NameSuggestions.Hint(member.Name, known)));
            }
        }
    }

    private IEnumerable<(string Name, JsonElement Value, string Path)> Objects(JsonElement section, string path)
    {
        if (section.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(path, $"expected an object, found {JsonPaths.Describe(section)}."));
            yield break;
        }

        foreach (var member in section.EnumerateObject())
        {
            yield return (member.Name, member.Value, JsonPaths.Property(path, member.Name));
        }
    }

    private string? Text(JsonElement owner, string name, string path)
    {
        if (Member(owner, name) is not { } value)
        {
            return null;
        }

        var text = JsonScalars.ReadString(value, out var error);
        if (error is not null)
        {
            errors.Add(new(JsonPaths.Property(path, name), error));
        }

        return text;
    }

    internal static JsonElement? Member(JsonElement owner, string name)
    {
        foreach (var member in owner.EnumerateObject())
        {
            if (member.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return member.Value;
            }
        }

        return null;
    }
}

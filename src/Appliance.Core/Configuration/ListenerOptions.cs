namespace Appliance.Core.Configuration;

/// <summary>One client-facing HTTP listener.</summary>
public sealed record ListenerOptions
{
    /// <summary>Name used in logs and metrics.</summary>
    public string Name { get; init; } = "";

    /// <summary><c>host:port</c>, e.g. <c>0.0.0.0:443</c> or <c>[::]:80</c>.</summary>
    public string Address { get; init; } = "";

    /// <summary><c>Http1</c>, <c>Http2</c> or <c>Http1AndHttp2</c> (HTTP/2 on cleartext needs prior knowledge).</summary>
    public string Protocols { get; init; } = "Http1AndHttp2";

    /// <summary>TLS termination; absent means cleartext.</summary>
    public TlsOptions? Tls { get; init; }

    /// <summary>
    /// Client connections this listener holds open at once (idle keep-alive ones included); further
    /// connections are closed at once. 0 means no limit. Keeps a flood of clients from using up the
    /// process's file descriptors, which the admin API, the cluster and the backends need too.
    /// </summary>
    public int MaxConnections { get; init; }

    /// <summary>
    /// Where in the file this listener was written (a <c>Listeners</c> entry, a <c>Kestrel:Endpoints</c>
    /// entry or a <c>Urls</c> item), so errors found later point there. Set by the loader; not a key.
    /// </summary>
    public ListenerSource? Source { get; internal init; }

    /// <summary>The JSON paths of this listener's settings; <paramref name="index"/> is its place in <see cref="ApplianceConfig.Listeners"/>.</summary>
    public ListenerSource PathsAt(int index) => Source ?? ListenerSource.ListenersEntry(index, Tls?.Certificates.Count ?? 0);
}

/// <summary>
/// The JSON paths of one listener's settings in the file. A <c>Listeners[i]</c> entry has its own
/// keys; a listener made from ASP.NET Core's keys points at <c>Kestrel.Endpoints.NAME.Url</c>,
/// <c>...Certificate.Path</c> and so on.
/// </summary>
public sealed record ListenerSource(string Path, string Name, string Address, string Protocols, string MinimumProtocol, IReadOnlyList<CertificateSource> Certificates)
{
    /// <summary>The paths of <c>$.Listeners[index]</c>.</summary>
    public static ListenerSource ListenersEntry(int index, int certificates)
    {
        var path = JsonPaths.Index("$.Listeners", index);
        return new(path, $"{path}.Name", $"{path}.Address", $"{path}.Protocols", $"{path}.Tls.MinimumProtocol",
            [.. Enumerable.Range(0, certificates).Select(c => CertificateSource.Ours(JsonPaths.Index($"{path}.Tls.Certificates", c)))]);
    }

    /// <summary>The paths of certificate <paramref name="index"/>, or of the listener when there is none such.</summary>
    public CertificateSource CertificateAt(int index) => index < Certificates.Count ? Certificates[index] : new(Path, Path, Path, Path, false);

    /// <summary>The path says where the listener was written, and so everything else here.</summary>
    public bool Equals(ListenerSource? other) => other is not null && string.Equals(Path, other.Path, StringComparison.Ordinal);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Path);

    /// <summary>Where a missing certificate list is reported: our <c>Tls.Certificates</c>, or the Kestrel entry itself.</summary>
    public string CertificateList => Path.StartsWith("$.Listeners[", StringComparison.Ordinal) ? $"{Path}.Tls.Certificates" : Path;
}

/// <summary>The JSON paths of one certificate entry: ours (<c>Certificate</c>, <c>Key</c>, <c>HostNames</c>) or Kestrel's (<c>Path</c>, <c>KeyPath</c>, the Sni key).</summary>
public sealed record CertificateSource(string Path, string Certificate, string Key, string HostNames, bool HostNamesIsList)
{
    public static CertificateSource Ours(string path) => new(path, $"{path}.Certificate", $"{path}.Key", $"{path}.HostNames", true);

    /// <summary>A Kestrel certificate object; its one host name, if any, is the key of its <c>Sni</c> entry.</summary>
    public static CertificateSource Kestrel(string path, string hostName) => new(path, $"{path}.Path", $"{path}.KeyPath", hostName, false);

    /// <summary>The path of host name <paramref name="index"/>.</summary>
    public string HostNameAt(int index) => HostNamesIsList ? JsonPaths.Index(HostNames, index) : HostNames;
}

/// <summary>TLS termination for a listener.</summary>
public sealed record TlsOptions
{
    /// <summary>Certificates, chosen by SNI host name; the first one is the default.</summary>
    public IReadOnlyList<CertificateOptions> Certificates { get; init; } = [];

    /// <summary>Lowest protocol accepted: <c>Tls12</c> (default) or <c>Tls13</c>.</summary>
    public string MinimumProtocol { get; init; } = "Tls12";
}

/// <summary>A PEM certificate (chain) and its private key.</summary>
public sealed record CertificateOptions
{
    public string Certificate { get; init; } = "";
    public string Key { get; init; } = "";

    /// <summary>SNI names this certificate serves; <c>*.example.com</c> matches one label.</summary>
    public IReadOnlyList<string> HostNames { get; init; } = [];
}

/// <summary>Trust for X-Forwarded-* headers set by a proxy in front of us.</summary>
public sealed record ForwardedHeadersOptions
{
    /// <summary>Addresses or CIDR networks whose X-Forwarded-* headers are believed. Others are replaced.</summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];
}

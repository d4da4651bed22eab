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

using System.Net.Security;

namespace Appliance.Proxy.Edge;

/// <summary>
/// The cipher suites TLS listeners offer: forward secrecy (ECDHE) and authenticated encryption
/// (AES-GCM, ChaCha20-Poly1305) only, as in Mozilla's "intermediate" profile without the DHE suites.
/// The platform default on Linux also allows CBC suites (e.g. ECDHE-RSA-AES256-SHA384), which
/// scanners rate as weak; a client that offers nothing from this list fails the handshake.
/// </summary>
internal static class TlsCipherSuites
{
    public static readonly IReadOnlyList<TlsCipherSuite> Allowed =
    [
        // TLS 1.3: every suite it defines for general use is AEAD with forward secrecy.
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,

        // TLS 1.2
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    // Built once (immutable, and not free to build); a benign race may build it twice.
    private static CipherSuitesPolicy? s_policy;

    /// <summary>Restricts a server handshake to <see cref="Allowed"/> where the platform lets us choose (Linux, macOS).</summary>
    public static void Apply(SslServerAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            options.CipherSuitesPolicy = s_policy ??= new CipherSuitesPolicy(Allowed);
        }
    }
}

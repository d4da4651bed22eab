using System.Security.Cryptography.X509Certificates;
using Appliance.Core.Configuration;

namespace Appliance.Proxy.Edge;

/// <summary>
/// The PEM certificates of every TLS listener, loaded when a configuration is applied and chosen
/// per handshake by SNI: exact name first, then a one-label wildcard, then the listener's first
/// certificate. A reload re-reads the files, so renewed certificates apply without a restart.
/// </summary>
internal sealed class CertificateStore
{
    private volatile IReadOnlyDictionary<string, ListenerCertificates> _byListener =
        new Dictionary<string, ListenerCertificates>(StringComparer.Ordinal);

    /// <summary>Loads every listener's certificates; on any failure nothing changes and the errors are returned.</summary>
    public IReadOnlyList<ConfigError> Load(ApplianceConfig config)
    {
        var errors = LoadAll(config, out var loaded);
        if (errors.Count == 0)
        {
            _byListener = loaded;
        }

        return errors;
    }

    /// <summary>
    /// Whether every certificate would load (files readable, PEM valid, key matching its certificate),
    /// without changing the ones in use: what <c>applianced validate</c> and the admin API's validate ask.
    /// </summary>
    public static IReadOnlyList<ConfigError> Check(ApplianceConfig config)
    {
        var errors = LoadAll(config, out var loaded);
        foreach (var certificate in loaded.Values)
        {
            certificate.Dispose();
        }

        return errors;
    }

    private static List<ConfigError> LoadAll(ApplianceConfig config, out Dictionary<string, ListenerCertificates> loaded)
    {
        var errors = new List<ConfigError>();
        loaded = new Dictionary<string, ListenerCertificates>(StringComparer.Ordinal);
        for (var i = 0; i < config.Listeners.Count; i++)
        {
            var listener = config.Listeners[i];
            if (listener.Tls is not { } tls)
            {
                continue;
            }

            var entries = new List<(IReadOnlyList<string> Names, X509Certificate2 Certificate)>();
            for (var c = 0; c < tls.Certificates.Count; c++)
            {
                var options = tls.Certificates[c];
                try
                {
                    entries.Add((options.HostNames, X509Certificate2.CreateFromPemFile(options.Certificate, options.Key)));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
                {
                    errors.Add(new ConfigError(listener.PathsAt(i).CertificateAt(c).Path,
                        $"cannot load certificate '{options.Certificate}' with key '{options.Key}': {e.Message}. Both must be PEM files readable by the daemon, and the key must be the one the certificate was issued for."));
                }
            }

            loaded[listener.Name] = new ListenerCertificates(entries);
        }

        return errors;
    }

    public X509Certificate2? Select(string listenerName, string? serverName) =>
        _byListener.TryGetValue(listenerName, out var certificates) ? certificates.Select(serverName) : null;

    private sealed class ListenerCertificates(List<(IReadOnlyList<string> Names, X509Certificate2 Certificate)> entries) : IDisposable
    {
        public void Dispose()
        {
            foreach (var (_, certificate) in entries)
            {
                certificate.Dispose();
            }
        }

        public X509Certificate2? Select(string? serverName)
        {
            if (entries.Count == 0)
            {
                return null;
            }

            if (!string.IsNullOrEmpty(serverName))
            {
                foreach (var (names, certificate) in entries)
                {
                    if (names.Any(n => string.Equals(n, serverName, StringComparison.OrdinalIgnoreCase)))
                    {
                        return certificate;
                    }
                }

                var dot = serverName.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0)
                {
                    var wildcard = string.Concat("*", serverName.AsSpan(dot));
                    foreach (var (names, certificate) in entries)
                    {
                        if (names.Any(n => string.Equals(n, wildcard, StringComparison.OrdinalIgnoreCase)))
                        {
                            return certificate;
                        }
                    }
                }
            }

            return entries[0].Certificate;
        }
    }
}

using System.Net;

namespace Appliance.Core.Configuration;

public static partial class ConfigValidator
{
    private static readonly string[] Protocols = ["Http1", "Http2", "Http1AndHttp2"];
    private static readonly string[] TlsVersions = ["Tls12", "Tls13"];
    private static readonly string[] OldTlsVersions = ["Tls11", "Tls10", "Tls", "Ssl3", "Ssl2", "Default", "None"];

    /// <summary>A listener address that parsed, kept to spot two listeners on one port.</summary>
    private sealed record BoundEndpoint(string Path, string Text, string Host, int Port);

    private static List<BoundEndpoint> ValidateListeners(IReadOnlyList<ListenerOptions> listeners, List<ConfigError> errors)
    {
        var bound = new List<BoundEndpoint>();
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < listeners.Count; i++)
        {
            var listener = listeners[i];
            var paths = listener.PathsAt(i);
            if (string.IsNullOrWhiteSpace(listener.Name))
            {
                errors.Add(new(paths.Name, "the listener has no name: give it one (used in logs and metrics), e.g. \"web\"."));
            }
            else if (!names.TryAdd(listener.Name, paths.Path))
            {
                errors.Add(new(paths.Name, $"the name '{listener.Name}' is already used by {names[listener.Name]}: give each listener its own name."));
            }

            ValidateListenerAddress(listener.Address, paths.Address, bound, errors);
            if (!IsOneOf(listener.Protocols, Protocols))
            {
                errors.Add(new(paths.Protocols, $"'{listener.Protocols}' is not a protocol choice: use one of {Quote(Protocols)}."));
            }

            if (listener.Tls is { } tls)
            {
                ValidateTls(tls, paths, errors);
            }

            if (listener.MaxConnections < 0)
            {
                errors.Add(new($"{paths.Path}.MaxConnections", $"{listener.MaxConnections} is not a connection limit: use 0 for no limit, or the most connections to hold open at once (keep it below the daemon's LimitNOFILE; see docs/operations.md)."));
            }
        }

        return bound;
    }

    private static void ValidateListenerAddress(string address, string path, List<BoundEndpoint> bound, List<ConfigError> errors)
    {
        if (!EndpointParser.TryParseEndpoint(address, out var host, out var port, out var error))
        {
            errors.Add(new(path, $"the listener address is not valid: {error}"));
            return;
        }

        var clash = bound.FirstOrDefault(other => other.Port == port && HostsOverlap(other.Host, host));
        if (clash is not null)
        {
            errors.Add(new(path, $"'{address}' overlaps {clash.Path} ('{clash.Text}'): two listeners cannot bind the same port "
                + "on the same address. Use another port, or one listener with several certificates."));
        }

        bound.Add(new(path, address, host, port));
    }

    private static void ValidateTls(TlsOptions tls, ListenerSource paths, List<ConfigError> errors)
    {
        if (tls.Certificates.Count == 0)
        {
            errors.Add(new(paths.CertificateList, "TLS is on but no certificate is given: add one { \"Certificate\": \"/etc/appliance/tls/site.crt\", \"Key\": \"/etc/appliance/tls/site.key\" }, or remove Tls for cleartext."));
        }

        for (var i = 0; i < tls.Certificates.Count; i++)
        {
            var certificate = tls.Certificates[i];
            var certificatePaths = paths.CertificateAt(i);
            CheckReadableFile(certificate.Certificate, certificatePaths.Certificate, "certificate", errors);
            CheckReadableFile(certificate.Key, certificatePaths.Key, "private key", errors);
            for (var j = 0; j < certificate.HostNames.Count; j++)
            {
                var name = certificate.HostNames[j];
                if (string.IsNullOrWhiteSpace(name) || name.IndexOf('*', StringComparison.Ordinal) > 0
                    || (name.StartsWith('*') && !name.StartsWith("*.", StringComparison.Ordinal)) || name.Contains(' ', StringComparison.Ordinal))
                {
                    errors.Add(new(certificatePaths.HostNameAt(j),
                        $"'{name}' is not an SNI host name: write e.g. \"www.example.com\", or \"*.example.com\" for one label of any subdomain."));
                }
            }
        }

        if (IsOneOf(tls.MinimumProtocol, TlsVersions))
        {
            return;
        }

        errors.Add(new(paths.MinimumProtocol, IsOneOf(tls.MinimumProtocol, OldTlsVersions)
            ? $"'{tls.MinimumProtocol}' is refused: TLS 1.1 and older are deprecated (RFC 8996) and broken; use Tls12 (the default) or Tls13."
            : $"'{tls.MinimumProtocol}' is not a TLS version: use Tls12 (the default) or Tls13."));
    }

    private static void CheckReadableFile(string file, string path, string what, List<ConfigError> errors)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            errors.Add(new(path, $"no {what} file given: set the path of the PEM {what} file."));
            return;
        }

        var relative = Path.IsPathRooted(file)
            ? ""
            : $" (a relative path is resolved from the daemon's working directory, '{Directory.GetCurrentDirectory()}'; prefer an absolute path)";
        if (!File.Exists(file))
        {
            errors.Add(new(path, $"the {what} file '{file}' does not exist{relative}: put the PEM file there or correct the path."));
            return;
        }

        try
        {
            using var stream = File.OpenRead(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add(new(path, $"the {what} file '{file}' cannot be read ({ex.Message}): let the appliance user read it (e.g. chmod 640 and group appliance)."));
        }
    }

    /// <summary>True when binding both hosts on one port would collide (wildcards cover their address family).</summary>
    private static bool HostsOverlap(string a, string b)
    {
        var left = Covered(a);
        var right = Covered(b);
        return left.Any(x => right.Any(y => x.AddressFamily == y.AddressFamily
            && (x.Equals(y) || IsAny(x) || IsAny(y))));
    }

    // "*" and "[::]" bind dual-stack sockets, so they take the port on IPv4 as well.
    private static IPAddress[] Covered(string host) => host switch
    {
        EndpointParser.AnyHost or "::" => [IPAddress.Any, IPAddress.IPv6Any],
        EndpointParser.LocalhostHost => [IPAddress.Loopback, IPAddress.IPv6Loopback],
        _ => [IPAddress.Parse(host)],
    };

    private static bool IsAny(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
}

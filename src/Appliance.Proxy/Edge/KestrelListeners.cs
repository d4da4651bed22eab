using System.Net;
using System.Security.Authentication;
using Appliance.Core.Configuration;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Appliance.Proxy.Edge;

/// <summary>
/// Binds the configured client listeners on Kestrel: address, protocols, the connection count
/// and limit (<see cref="ListenerConnections"/>), TLS with SNI selection from
/// <see cref="CertificateStore"/>, TLS 1.2 as the floor (1.0/1.1 are never offered) and only strong
/// cipher suites (<see cref="TlsCipherSuites"/>). Listener addresses are fixed for the life of the
/// process; certificates follow reloads.
/// </summary>
internal static class KestrelListeners
{
    public static void Bind(KestrelServerOptions kestrel, ApplianceConfig config, CertificateStore certificates, ListenerConnections connections)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
        kestrel.Limits.MaxRequestLineSize = 16 * 1024;
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15); // slowloris clients are cut off

        foreach (var listener in config.Listeners)
        {
            void Configure(ListenOptions options)
            {
                options.Protocols = listener.Protocols.ToUpperInvariant() switch
                {
                    "HTTP1" => HttpProtocols.Http1,
                    "HTTP2" => HttpProtocols.Http2,
                    _ => HttpProtocols.Http1AndHttp2,
                };

                // Before TLS: a connection beyond the limit costs no handshake.
                options.Use(connections.Middleware(listener.Name, listener.MaxConnections));
                if (listener.Tls is { } tls)
                {
                    var name = listener.Name;
                    options.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        SslProtocols = string.Equals(tls.MinimumProtocol, "Tls13", StringComparison.OrdinalIgnoreCase)
                            ? SslProtocols.Tls13
                            : SslProtocols.Tls12 | SslProtocols.Tls13,
                        ServerCertificateSelector = (_, serverName) => certificates.Select(name, serverName),
                        OnAuthenticate = (_, ssl) => TlsCipherSuites.Apply(ssl),
                    });
                }
            }

            if (!EndpointParser.TryParseEndpoint(listener.Address, out var host, out var port))
            {
                throw new FormatException($"'{listener.Address}' is not host:port; validation should have refused it.");
            }

            switch (host)
            {
                case EndpointParser.AnyHost: kestrel.ListenAnyIP(port, Configure); break;
                case EndpointParser.LocalhostHost: kestrel.ListenLocalhost(port, Configure); break;
                default: kestrel.Listen(IPAddress.Parse(host), port, Configure); break;
            }
        }
    }
}

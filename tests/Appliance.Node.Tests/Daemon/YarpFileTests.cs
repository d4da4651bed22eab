using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Appliance.Tests.Support;

namespace Appliance.Tests.Daemon;

/// <summary>
/// YARP's documented example files, validated and then served by a real applianced process with
/// real backends. Each file is the example as YARP or ASP.NET Core publish it, changed only where
/// the example names machines that are not here: destination addresses, ports, an admin listener
/// (tests run side by side), and a PEM certificate where the example relies on ASP.NET's
/// development certificate.
/// </summary>
public sealed class YarpFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("applianced-yarp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A PEM certificate and key for <paramref name="name"/>, as the JSON of a Kestrel certificate object.</summary>
    private string Certificate(string name)
    {
        var file = Path.Combine(_dir, name.Replace('*', '_'));
        HttpTestHelpers.WriteSelfSignedPem(name, file + ".crt", file + ".key");
        return $$"""{ "Path": "{{file}}.crt", "KeyPath": "{{file}}.key" }""";
    }

    private static async Task<string> ValidateAsync(string path)
    {
        var (code, output) = await DaemonProcess.RunAsync("validate", "--config", path);
        Assert.True(code == 0, $"validate refused the file ({code}):\n{output}");
        return output;
    }

    private static HttpClient Client(Uri baseAddress) => new(new SocketsHttpHandler
    {
        UseCookies = false,
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };

    private static async Task WaitServingAsync(DaemonProcess daemon, HttpClient client, string path = "/")
    {
        await HttpTestHelpers.WaitUntilAsync(async () =>
        {
            Assert.False(daemon.HasExited, "applianced exited:\n" + daemon.Output);
            try
            {
                using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "applianced serving");
    }

    [Fact]
    public async Task BasicSample_CatchAllAndPowerOfTwoChoices_ServedOverHttpAndHttps_LoggingLevelsApplied()
    {
        await using var backends = await BackendSet.StartAsync(3);
        int http = FreePort.Next(), https = FreePort.Next();
        var path = Write("basic.json", $$"""
            {
              // Base URLs the server listens on, must be configured independently of the routes below.
              // Can also be configured via Kestrel/Endpoints, see https://docs.microsoft.com/aspnet/core/fundamentals/servers/kestrel/endpoints
              "Urls": "http://localhost:{{http}};https://localhost:{{https}}",

              //Sets the Logging level for ASP.NET
              "Logging": {
                "LogLevel": {
                  "Default": "Information",
                  // Uncomment to hide diagnostic messages from runtime and proxy
                  // "Microsoft": "Warning",
                  // "Yarp" : "Warning",
                  "Microsoft.Hosting.Lifetime": "Information"
                }
              },

              "ReverseProxy": {
                // Routes tell the proxy which requests to forward
                "Routes": {
                  "minimumroute": {
                    // Matches anything and routes it to www.example.com
                    "ClusterId": "minimumcluster",
                    "Match": {
                      "Path": "{**catch-all}"
                    }
                  },
                  "route2": {
                    // matches /something/* and routes to 2 external addresses
                    "ClusterId": "cluster2",
                    "Match": {
                      "Path": "/something/{*any}"
                    }
                  }
                },
                // Clusters tell the proxy where and how to forward requests
                "Clusters": {
                  "minimumcluster": {
                    "Destinations": {
                      "example.com": {
                        "Address": "{{backends[0].Url}}"
                      }
                    }
                  },
                  "cluster2": {
                    "Destinations": {
                      "first_destination": {
                        "Address": "{{backends[1].Url}}"
                      },
                      "another_destination": {
                        "Address": "{{backends[2].Url}}"
                      }
                    },
                    "LoadBalancingPolicy": "PowerOfTwoChoices"
                  }
                }
              },

              // Not in the sample: the certificate ASP.NET's development certificate stands for, and an admin port of its own.
              "Kestrel": { "Certificates": { "Default": {{Certificate("localhost")}} } },
              "Admin": { "Address": "127.0.0.1:{{FreePort.Next()}}" }
            }
            """);

        var validation = await ValidateAsync(path);
        Assert.Contains("2 route(s), 2 cluster(s), 2 listener(s)", validation, StringComparison.Ordinal);

        using var daemon = DaemonProcess.Start("run", "--config", path);
        using var plain = Client(new Uri($"http://localhost:{http}/"));
        using var secure = Client(new Uri($"https://localhost:{https}/"));
        await WaitServingAsync(daemon, plain);

        var seen = new HashSet<string>();
        for (var i = 0; i < 30; i++)
        {
            using var any = await plain.GetAsync(new Uri($"/page/{i}", UriKind.Relative));
            Assert.Equal(backends[0].Name, any.Headers.GetValues("X-Backend").Single());
            using var something = await (i % 2 == 0 ? plain : secure).GetAsync(new Uri($"/something/{i}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, something.StatusCode);
            seen.Add(something.Headers.GetValues("X-Backend").Single());
        }

        Assert.Equal([backends[1].Name, backends[2].Name], seen.Order(StringComparer.Ordinal));

        // "Microsoft.Hosting.Lifetime": "Information" lifts the node's own default (warnings) for that category.
        await daemon.WaitForOutputAsync("Application started");
    }

    [Fact]
    public async Task ConfigSample_MatchTransformsAffinityAndHealthChecks_AllTakeEffect()
    {
        await using var minimal = await BackendSet.StartAsync(1);
        await using var first = RawHttpBackend.Start((_, c) => c.SendAsync(RawHttpBackend.Ok("first")));
        await using var another = RawHttpBackend.Start((_, c) => c.SendAsync(RawHttpBackend.Ok("another")));
        var port = FreePort.Next();
        var path = Write("config-sample.json", ConfigSample(port, minimal[0].Url, first.Url, another.Url, Certificate("localhost")));

        await ValidateAsync(path);
        using var daemon = DaemonProcess.Start("run", "--config", path);
        using var client = Client(new Uri($"http://localhost:{port}/"));
        await WaitServingAsync(daemon, client);

        // Routes: the download route matches only with its host, method, header and query; else the minimal route.
        using (var unmatched = await client.GetAsync(new Uri("/download/file", UriKind.Relative)))
        {
            Assert.Equal(minimal[0].Name, unmatched.Headers.GetValues("X-Backend").Single());
        }

        var bodies = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/download/file{i}?MyQueryParameter=value1");
            request.Headers.Add("MyCustomHeader", "value1");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            bodies.Add(await response.Content.ReadAsStringAsync());
            Assert.StartsWith("MySessionCookieName=", response.Headers.GetValues("Set-Cookie").Single(), StringComparison.Ordinal); // HashCookie
        }

        Assert.Equal(["another", "first"], bodies.Order(StringComparer.Ordinal)); // PowerOfTwoChoices, no cookie sent back

        var proxied = first.Requests.Concat(another.Requests).Where(r => r.Target.StartsWith("/download/", StringComparison.Ordinal)).ToList();
        Assert.All(proxied, r => Assert.Equal("MyValue", r.Message.Field("MyHeader"))); // the route's transform
        Assert.All(another.Requests.Where(r => r.Target.StartsWith("/download/", StringComparison.Ordinal)), r => Assert.Equal("contoso", r.Message.Field("Host")));

        // Active health: YARP probes each destination's path and query, "another" at its Health address.
        Assert.Contains(first.Requests, r => r.Target == "/favicon.ico?healthCheck=true");
        Assert.Contains(another.Requests, r => r.Target == "/probe/favicon.ico?healthCheck=true");
    }

    [Fact]
    public async Task KestrelEndpoints_WithCertificatesAndSni_EachServesItsCertificate_AllowedHostsHonoured()
    {
        await using var backends = await BackendSet.StartAsync(1);
        int http = FreePort.Next(), inline = FreePort.Next(), byDefault = FreePort.Next(), sni = FreePort.Next();
        var path = Write("kestrel.json", $$"""
            {
              "Kestrel": {
                "Endpoints": {
                  "Http": { "Url": "http://localhost:{{http}}" },
                  "HttpsInlineCertAndKeyFile": { "Url": "https://localhost:{{inline}}", "Certificate": {{Certificate("inline.example.org")}} },
                  "HttpsDefaultCert": { "Url": "https://localhost:{{byDefault}}" },
                  "MySniEndpoint": {
                    "Url": "https://*:{{sni}}",
                    "SslProtocols": ["Tls12", "Tls13"],
                    "Sni": {
                      "a.example.org": { "Protocols": "Http1AndHttp2", "Certificate": {{Certificate("a.example.org")}} },
                      "*.example.org": { "Certificate": {{Certificate("*.example.org")}} },
                      "*": { "Certificate": {{Certificate("fallback.example.net")}} }
                    }
                  }
                },
                "Certificates": { "Default": {{Certificate("default.example.org")}} },
                "Limits": { "MaxRequestBodySize": 10485760 }
              },
              "AllowedHosts": "localhost;*.example.org",
              "Logging": { "LogLevel": { "Default": "Warning" } },
              "Admin": { "Address": "127.0.0.1:{{FreePort.Next()}}" },
              "ReverseProxy": {
                "Routes": { "all": { "ClusterId": "c", "Match": { "Path": "{**catch-all}" } } },
                "Clusters": { "c": { "Destinations": { "d": { "Address": "{{backends[0].Url}}" } } } }
              }
            }
            """);

        var validation = await ValidateAsync(path);
        Assert.Contains("warning: $.Kestrel.Limits.MaxRequestBodySize", validation, StringComparison.Ordinal);
        using var daemon = DaemonProcess.Start("run", "--config", path);
        using var client = Client(new Uri($"http://localhost:{http}/"));
        await WaitServingAsync(daemon, client);

        Assert.Equal("CN=inline.example.org", await ServerCertificateAsync(inline, "localhost"));
        Assert.Equal("CN=default.example.org", await ServerCertificateAsync(byDefault, "localhost"));
        Assert.Equal("CN=a.example.org", await ServerCertificateAsync(sni, "a.example.org"));
        Assert.Equal("CN=*.example.org", await ServerCertificateAsync(sni, "b.example.org"));
        Assert.Equal("CN=fallback.example.net", await ServerCertificateAsync(sni, "other.example.net"));
        using (var secure = Client(new Uri($"https://localhost:{sni}/")))
        {
            Assert.Equal(HttpStatusCode.OK, (await secure.GetAsync(new Uri("/", UriKind.Relative))).StatusCode);
        }

        // AllowedHosts: a Host header outside the list is refused before any route is tried.
        Assert.Equal(200, HttpTestHelpers.StatusOf(await HttpTestHelpers.SendRawAsync(http, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")));
        Assert.Equal(200, HttpTestHelpers.StatusOf(await HttpTestHelpers.SendRawAsync(http, "GET / HTTP/1.1\r\nHost: www.example.org\r\nConnection: close\r\n\r\n")));
        Assert.Equal(400, HttpTestHelpers.StatusOf(await HttpTestHelpers.SendRawAsync(http, "GET / HTTP/1.1\r\nHost: evil.example.com\r\nConnection: close\r\n\r\n")));

        // "Default": "Warning": the node's own start-up line (Information) is not written.
        Assert.DoesNotContain("serving 4 listener(s)", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransformsSample_KestrelEndpointsAndTransforms_BackendSeesEveryTransform()
    {
        await using var backend = RawHttpBackend.Start((_, c) => c.SendAsync(RawHttpBackend.Ok("transformed")));
        int http = FreePort.Next(), https = FreePort.Next();
        var path = Write("transforms.json", $$"""
            {
              "Logging": {
                "LogLevel": {
                  "Default": "Information",
                  "Microsoft": "Warning",
                  "Microsoft.Hosting.Lifetime": "Information"
                }
              },
              "AllowedHosts": "*",
              "Kestrel": {
                "Endpoints": {
                  "https": {
                    "Url": "https://localhost:{{https}}",
                    "Certificate": {{Certificate("localhost")}}
                  },
                  "http": {
                    "Url": "http://localhost:{{http}}"
                  }
                }
              },
              "ReverseProxy": {
                "Routes": {
                  "route1": {
                    "ClusterId": "cluster1",
                    "Match": {
                      "Path": "{**catch-all}"
                    },
                    "Transforms": [
                      { "PathPrefix": "/prefix" },
                      { "RequestHeadersCopy": true },
                      { "RequestHeaderOriginalHost": false },
                      {
                        "RequestHeader": "foo0",
                        "Append": "bar"
                      },
                      {
                        "RequestHeader": "foo1",
                        "Set": "bar, baz"
                      },
                      {
                        "RequestHeader": "clearMe",
                        "Set": ""
                      },
                      {
                        "ResponseHeader": "foo",
                        "Append": "bar",
                        "When": "Always"
                      }
                    ]
                  }
                },
                "Clusters": {
                  "cluster1": {
                    "Metadata": {
                      "CustomMetadata": "custom value"
                    },
                    "Destinations": {
                      "cluster1/destination1": {
                        "Address": "{{backend.Url}}"
                      }
                    }
                  }
                }
              },
              "Admin": { "Address": "127.0.0.1:{{FreePort.Next()}}" }
            }
            """); // the sample's CustomTransform and ResponseTrailer entries need code of the sample's own and HTTP/2 trailers; left out

        await ValidateAsync(path);
        using var daemon = DaemonProcess.Start("run", "--config", path);
        using var client = Client(new Uri($"https://localhost:{https}/"));
        await WaitServingAsync(daemon, client);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/x?q=1");
        request.Headers.Add("foo0", "original");
        request.Headers.Add("clearMe", "secret");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bar", response.Headers.GetValues("foo").Single());
        var seen = backend.Requests.Last(r => r.Target.StartsWith("/prefix/", StringComparison.Ordinal)).Message;
        Assert.Equal("GET /prefix/x?q=1 HTTP/1.1", seen.StartLine);
        Assert.Equal($"127.0.0.1:{backend.Port}", seen.Field("Host")); // RequestHeaderOriginalHost: false
        Assert.Equal("original, bar", seen.Field("foo0"));
        Assert.Equal("bar, baz", seen.Field("foo1"));
        Assert.True(string.IsNullOrEmpty(seen.Field("clearMe")), "clearMe was not cleared");
    }

    /// <summary>The subject of the certificate the node presents for <paramref name="serverName"/> on <paramref name="port"/>.</summary>
    private static async Task<string> ServerCertificateAsync(int port, string serverName)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        X509Certificate? presented = null;
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                presented = certificate;
                return true;
            },
        });
        return presented!.Subject;
    }

    /// <summary>YARP's ReverseProxy.Config.Sample appsettings.json, comments and all.</summary>
    private string ConfigSample(int port, Uri minimal, Uri first, Uri another, string certificate) => $$"""
        {
          // Base URLs the server listens on, must be configured independently of the routes below.
          // Can also be configured via Kestrel/Endpoints, see https://docs.microsoft.com/aspnet/core/fundamentals/servers/kestrel/endpoints
          "Urls": "http://localhost:{{port}};https://localhost:{{FreePort.Next()}}",

          //Sets the Logging level for ASP.NET
          "Logging": {
            "LogLevel": {
              "Default": "Information",
              // Uncomment to hide diagnostic messages from runtime and proxy
              // "Microsoft": "Warning",
              // "Yarp" : "Warning",
              "Microsoft.Hosting.Lifetime": "Information"
            }
          },
          "AllowedHosts": "*",

          // Configuration for YARP
          "ReverseProxy": {
            // Routes tell the proxy which requests to forward
            "Routes": {
              "minimalRoute": {
                // Matches anything and routes it to www.example.com
                "ClusterId": "minimalCluster",
                "Match": {
                  "Path": "{**catch-all}"
                }
              },
              "allRouteProps": {
                // matches /download/* and routes to "allClusterProps"
                "ClusterId": "allClusterProps", // Name of one of the clusters
                "Order": 0, // Lower numbers have higher precedence, default is 0
                "AuthorizationPolicy": "Anonymous", // Name of the policy or "Default", "Anonymous"
                "CorsPolicy": "disable", // Name of the CorsPolicy to apply to this route or "default", "disable"
                "Match": { // Rules that have to be met for the route to match the request
                  "Path": "/download/{**remainder}", // The path to match using ASP.NET syntax.
                  "Hosts": [ "localhost", "www.aaaaa.com", "www.bbbbb.com" ], // The host names to match, unspecified is any
                  "Methods": [ "GET", "PUT" ], // The HTTP methods that match, unspecified is all
                  "Headers": [ // The headers to match, unspecified is any
                    {
                      "Name": "MyCustomHeader", // Name of the header
                      "Values": [ "value1", "value2", "another value" ], // Matches are against any of these values
                      "Mode": "ExactHeader", // or "HeaderPrefix", "Exists" , "Contains", "NotContains"
                      "IsCaseSensitive": true
                    }
                  ],
                  "QueryParameters": [ // The query parameters to match, unspecified is any
                    {
                      "Name": "MyQueryParameter", // Name of the query parameter
                      "Values": [ "value1", "value2", "another value" ], // Matches are against any of these values
                      "Mode": "Exact", // or "Prefix", "Exists" , "Contains", "NotContains"
                      "IsCaseSensitive": true
                    }
                  ]
                },
                "Metadata": { // List of key value pairs that can be used by custom extensions
                  "MyName": "MyValue"
                },
                "Transforms": [ // List of transforms. See ReverseProxy.Transforms.Sample for more details
                  {
                    "RequestHeader": "MyHeader",
                    "Set": "MyValue"
                  }
                ]
              }
            },
            // Clusters tell the proxy where and how to forward requests
            "Clusters": { // Cluster with the minimum information
              "minimalCluster": {
                "Destinations": { // Specifies which back end servers requests should be routed to.
                  "example.com": { // name is used for logging and via extensibility
                    "Address": "{{minimal}}" // Should specify Protocol, Address/IP & Port, but not path
                  }
                }
              },
              "allClusterProps": { // Cluster with all properties
                "Destinations": { // Specifies which back end servers requests should be routed to.
                  "first_destination": { // name is used for logging and via extensibility
                    "Address": "{{first}}" // Should specify Protocol, Address/IP & Port, but not path
                  },
                  "another_destination": {
                    "Address": "{{another}}",
                    "Health": "{{another}}probe/", // override for active health checks
                    "Host": "contoso",
                    "Metadata": {
                      "SomeKey": "SomeValue"
                    }
                  }
                },
                "LoadBalancingPolicy": "PowerOfTwoChoices", // Alternatively "First", "Random", "RoundRobin", "LeastRequests"
                "SessionAffinity": { // Ensures subsequent requests from a client go to the same destination server
                  "Enabled": true, // Defaults to 'false'
                  "Policy": "HashCookie", // Default, alternatively "Cookie" or "CustomHeader"
                  "FailurePolicy": "Redistribute", // default, alternatively "Return503Error"
                  "AffinityKeyName": "MySessionCookieName", // Required, no default
                  "Cookie": { // Options for cookie based session affinity
                    "Path": "/",
                    "SameSite": "None",
                    "HttpOnly": true,
                    "Expiration": "00:30:00",
                    "Domain": "example.com",
                    "MaxAge": "08:00:00",
                    "SecurePolicy": "Always",
                    "IsEssential": true
                  }
                },
                "HealthCheck": { // Ways to determine which destinations should be filtered out due to unhealthy state
                  "Active": { // Makes API calls to validate the health of each destination
                    "Enabled": true,
                    "Interval": "00:00:10", // How often to query for health data
                    "Timeout": "00:00:10", // Timeout for the health check request/response
                    "Policy": "ConsecutiveFailures", // Or other custom policy that has been registered
                    "Path": "/favicon.ico", // API endpoint to query for health state. Looks for 2XX response codes to indicate healthy state
                    // Typically something like "/api/health" but used favicon to enable sample to run
                    "Query": "?healthCheck=true" // Query string to append to the health check request
                  },
                  "Passive": { // Disables destinations based on HTTP response codes for proxy requests
                    "Enabled": true, // Defaults to false
                    "Policy": "TransportFailureRate", // Or other custom policy that has been registered
                    "ReactivationPeriod": "00:00:10" // how long before the destination is re-enabled
                  },
                  "AvailableDestinationsPolicy": "HealthyOrPanic" // Policy for which destinations can be used when sending requests
                },
                "HttpClient": { // Configuration of HttpClient instance used to contact destinations
                  "SslProtocols": [ "Tls13" ],
                  "DangerousAcceptAnyServerCertificate": true, // Disables destination cert validation
                  "MaxConnectionsPerServer": 1024, // Destination server can further limit this number
                  "EnableMultipleHttp2Connections": true,
                  "RequestHeaderEncoding": "Latin1", // How to interpret non ASCII characters in proxied request's header values
                  "ResponseHeaderEncoding": "Latin1" // How to interpret non ASCII characters in proxied request's response header values
                  // The sample's WebProxy (http://127.0.0.1) is left out: no forward proxy runs here.
                },
                "HttpRequest": { // Options for sending request to destination
                  "ActivityTimeout": "00:02:00", // Activity timeout for the request
                  "Version": "2", // Http Version that should be tried first
                  "VersionPolicy": "RequestVersionOrLower", // Policy for which other versions can be be used
                  "AllowResponseBuffering": false
                },
                "Metadata": { // Custom Key/value pairs for extensibility
                  "TransportFailureRateHealthPolicy.RateLimit": "0.5", // Used by Passive health policy
                  "MyKey": "MyValue"
                }
              }
            }
          },

          // Not in the sample: the certificate ASP.NET's development certificate stands for, and an admin port of its own.
          "Kestrel": { "Certificates": { "Default": {{certificate}} } },
          "Admin": { "Address": "127.0.0.1:{{FreePort.Next()}}" }
        }
        """;
}

using Appliance.Core.Configuration;

namespace Appliance.Tests.Configuration;

/// <summary>ASP.NET Core's keys in a YARP file: Urls, Kestrel, Logging, AllowedHosts.</summary>
public sealed class AspNetCoreKeysTests(TempCertificates certificates) : IClassFixture<TempCertificates>
{
    private const string Proxy = """
        "ReverseProxy": {
          "Routes": { "all": { "ClusterId": "c", "Match": { "Path": "{**catch-all}" } } },
          "Clusters": { "c": { "Destinations": { "d": { "Address": "http://127.0.0.1:18081/" } } } }
        }
        """;

    private string Pem => $$"""{ "Path": "{{certificates.CertificatePath}}", "KeyPath": "{{certificates.KeyPath}}" }""";

    private static ConfigLoadResult Load(string sections) => ConfigLoader.Parse($"{{ {sections}, {Proxy} }}");

    private static void AssertError(ConfigLoadResult result, string path, string part)
    {
        Assert.Null(result.Config);
        Assert.Contains(result.Errors, e => e.Path == path && e.Message.Contains(part, StringComparison.Ordinal));
    }

    [Fact]
    public void Urls_EachBecomesAListener()
    {
        var result = Load("\"Urls\": \"http://localhost:5000; http://*:5002;http://[::1]:5003/\"");

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Empty(result.Warnings);
        Assert.Equal(["localhost:5000", "*:5002", "[::1]:5003"], result.Config!.Listeners.Select(l => l.Address));
        Assert.Equal("http://localhost:5000", result.Config.Listeners[0].Name);
        Assert.All(result.Config.Listeners, l => Assert.Null(l.Tls));
    }

    [Fact]
    public void Urls_HttpsWithoutDefaultCertificate_RefusedAtUrls()
    {
        var result = Load("\"Urls\": \"http://localhost:5000;https://localhost:5001\"");

        var error = Assert.Single(result.Errors);
        Assert.Equal("$.Urls", error.Path);
        Assert.Contains("Kestrel.Certificates.Default", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Urls_HttpsWithDefaultCertificate_ServesTls()
    {
        var result = Load($$"""
            "Urls": "https://0.0.0.0:5001", "Kestrel": { "Certificates": { "Default": {{Pem}} } }
            """);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var tls = Assert.Single(result.Config!.Listeners).Tls!;
        Assert.Equal(certificates.CertificatePath, Assert.Single(tls.Certificates).Certificate);
    }

    [Fact]
    public void KestrelEndpoints_AsTheAspNetCoreDocsWriteThem_BecomeListeners()
    {
        var result = Load($$"""
            "Kestrel": {
              "Endpoints": {
                "Http": { "Url": "http://localhost:5000" },
                "HttpsInlineCertAndKeyFile": { "Url": "https://localhost:5002", "Certificate": {{Pem}}, "Protocols": "Http1" },
                "HttpsDefaultCert": { "Url": "https://localhost:5003" },
                "MySniEndpoint": {
                  "Url": "https://*:5004",
                  "SslProtocols": ["Tls13"],
                  "Sni": {
                    "a.example.org": { "Certificate": {{Pem}} },
                    "*": { "Certificate": {{Pem}}, "Protocols": "Http1AndHttp2" }
                  }
                }
              },
              "Certificates": { "Default": {{Pem}} }
            }
            """);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Empty(result.Warnings);
        var listeners = result.Config!.Listeners.ToDictionary(l => l.Name);
        Assert.Equal(["Http", "HttpsInlineCertAndKeyFile", "HttpsDefaultCert", "MySniEndpoint"], listeners.Keys);
        Assert.Null(listeners["Http"].Tls);
        Assert.Equal("Http1", listeners["HttpsInlineCertAndKeyFile"].Protocols);
        Assert.Single(listeners["HttpsDefaultCert"].Tls!.Certificates);
        var sni = listeners["MySniEndpoint"];
        Assert.Equal("*:5004", sni.Address);
        Assert.Equal("Tls13", sni.Tls!.MinimumProtocol);
        Assert.Equal([[], ["a.example.org"]], sni.Tls.Certificates.Select(c => c.HostNames.ToArray()));
    }

    [Fact]
    public void KestrelCertificate_MissingFile_RefusedAtItsPath()
    {
        var result = Load("""
            "Kestrel": { "Endpoints": { "Https": { "Url": "https://*:5001", "Certificate": { "Path": "/nonexistent/site.crt", "KeyPath": "/nonexistent/site.key" } } } }
            """);

        AssertError(result, "$.Kestrel.Endpoints.Https.Certificate.Path", "/nonexistent/site.crt");
        AssertError(result, "$.Kestrel.Endpoints.Https.Certificate.KeyPath", "/nonexistent/site.key");
    }

    [Fact]
    public void KestrelCertificate_PasswordOrStoreOrPfx_RefusedWithoutRepeatingThePassword()
    {
        var result = Load("""
            "Kestrel": { "Endpoints": {
              "A": { "Url": "https://*:5001", "Certificate": { "Path": "/x/site.pfx", "Password": "hunter2" } },
              "B": { "Url": "https://*:5002", "Certificate": { "Subject": "localhost", "Store": "My" } },
              "C": { "Url": "https://*:5003", "Certificate": { "Path": "/x/site.pfx" } } } }
            """);

        AssertError(result, "$.Kestrel.Endpoints.A.Certificate.Password", "not supported");
        AssertError(result, "$.Kestrel.Endpoints.B.Certificate.Subject", "certificate stores are not supported");
        AssertError(result, "$.Kestrel.Endpoints.C.Certificate.KeyPath", "openssl pkcs12");
        Assert.DoesNotContain(result.Errors, e => e.Message.Contains("hunter2", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"ClientCertificateMode\": \"RequireCertificate\"", "$.Kestrel.Endpoints.E.ClientCertificateMode", "client certificates")]
    [InlineData("\"Protocols\": \"Http3\"", "$.Kestrel.Endpoints.E.Protocols", "HTTP/3 is not supported")]
    [InlineData("\"SslProtocols\": [\"Tls11\", \"Tls12\"]", "$.Kestrel.Endpoints.E.SslProtocols", "RFC 8996")]
    public void KestrelEndpoint_WhatWouldChangeWhatIsServed_IsRefused(string setting, string path, string part) =>
        AssertError(Load($$"""
            "Kestrel": { "Endpoints": { "E": { "Url": "https://*:5001", "Certificate": {{Pem}}, {{setting}} } } }
            """), path, part);

    [Theory]
    [InlineData("http://*:80/app", "a path")]
    [InlineData("unix:/run/app.sock", "not an http or https URL")]
    [InlineData("http://*:0", "not a port")]
    public void KestrelEndpoint_BadUrl_RefusedAtUrl(string url, string part) =>
        AssertError(Load($$"""
            "Kestrel": { "Endpoints": { "E": { "Url": "{{url}}" } } }
            """), "$.Kestrel.Endpoints.E.Url", part);

    [Fact]
    public void KestrelTuning_IsAWarningWithItsPath_NotARefusal()
    {
        var result = Load("""
            "Kestrel": {
              "Limits": { "MaxRequestBodySize": 1000, "MaxConcurrentConnections": 100 },
              "AddServerHeader": false,
              "Endpoints": { "E": { "Url": "http://example.com:5000", "Protocols": "Http1AndHttp2AndHttp3" } }
            }
            """);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Equal(
            ["$.Kestrel.AddServerHeader", "$.Kestrel.Endpoints.E.Protocols", "$.Kestrel.Endpoints.E.Url", "$.Kestrel.Limits.MaxConcurrentConnections", "$.Kestrel.Limits.MaxRequestBodySize"],
            result.Warnings.Select(w => w.Path).Order(StringComparer.Ordinal));
        Assert.Equal("*:5000", Assert.Single(result.Config!.Listeners).Address); // Kestrel binds a host name on every address too
    }

    [Fact]
    public void ListenersBesideKestrelEndpoints_Refused()
    {
        var result = Load("""
            "Listeners": [ { "Name": "web", "Address": "127.0.0.1:8080" } ],
            "Kestrel": { "Endpoints": { "E": { "Url": "http://*:5000" } } }
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal("$.Kestrel.Endpoints", error.Path);
        Assert.Contains("keep one", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"Listeners\": [ { \"Name\": \"web\", \"Address\": \"127.0.0.1:8080\" } ]", "127.0.0.1:8080")]
    [InlineData("\"Kestrel\": { \"Endpoints\": { \"E\": { \"Url\": \"http://*:5000\" } } }", "*:5000")]
    public void Urls_BesideListenersOrEndpoints_IgnoredWithAWarning(string other, string served)
    {
        var result = Load($"\"Urls\": \"http://localhost:7000\", {other}");

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Equal("$.Urls", Assert.Single(result.Warnings).Path);
        Assert.Equal(served, Assert.Single(result.Config!.Listeners).Address);
    }

    [Fact]
    public void TwoEndpointsOnOnePort_RefusedAtTheSecondUrl()
    {
        var result = Load("""
            "Kestrel": { "Endpoints": { "A": { "Url": "http://*:5000" }, "B": { "Url": "http://127.0.0.1:5000" } } }
            """);

        AssertError(result, "$.Kestrel.Endpoints.B.Url", "overlaps $.Kestrel.Endpoints.A.Url");
    }

    [Fact]
    public void Logging_LevelsAreChecked_AndKeptForTheHost()
    {
        var good = Load("""
            "Listeners": [], "Logging": { "LogLevel": { "Default": "Information", "Yarp": "warning" }, "Console": { "LogLevel": { "Default": "None" } } }
            """);
        var bad = Load("""
            "Listeners": [], "Logging": { "LogLevel": { "Default": "Informaton" }, "Console": { "LogLevel": { "Yarp": 3 } } }
            """);

        Assert.True(good.Succeeded, string.Join("; ", good.Errors));
        Assert.Contains("\"Yarp\": \"warning\"", good.Config!.LoggingJson, StringComparison.Ordinal);
        AssertError(bad, "$.Logging.LogLevel.Default", "Did you mean 'Information'?");
        AssertError(bad, "$.Logging.Console.LogLevel.Yarp", "is not a log level");
    }

    [Fact]
    public void AllowedHosts_NamesKept_StarMeansAny_PortsRefused()
    {
        Assert.Equal(["example.com", "*.example.org"], Load("\"Listeners\": [], \"AllowedHosts\": \"example.com;*.example.org\"").Config!.AllowedHosts);
        Assert.Empty(Load("\"Listeners\": [], \"AllowedHosts\": \"*\"").Config!.AllowedHosts);
        AssertError(Load("\"Listeners\": [], \"AllowedHosts\": \"example.com:8080\""), "$.AllowedHosts", "without port");
    }
}

namespace Appliance.Tests.Configuration;

/// <summary>Placeholder certificate, key and admin token files: validation only checks that they exist and can be read.</summary>
public sealed class TempCertificates : IDisposable
{
    public TempCertificates()
    {
        Directory = Path.Combine(Path.GetTempPath(), "appliance-config-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        CertificatePath = Path.Combine(Directory, "site.crt");
        KeyPath = Path.Combine(Directory, "site.key");
        File.WriteAllText(CertificatePath, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        File.WriteAllText(KeyPath, "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n");
        TokenPath = Path.Combine(Directory, "admin.token");
        File.WriteAllText(TokenPath, "0123456789abcdef0123456789abcdef\n");
    }

    public string Directory { get; }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    public string TokenPath { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

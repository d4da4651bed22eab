using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Core.Security;

namespace Appliance.Cluster.Security;

/// <summary>
/// The cluster's TLS credentials, all made from the cluster key: a certificate authority whose
/// P-256 key is derived from the key (HKDF, so every node holding the key file holds the same CA
/// and nothing else needs handing out), and a leaf certificate for this node that the CA issues
/// in memory with a fresh key and a short life, renewed when half of it has passed. Neither key
/// ever leaves the process or reaches a log.
/// </summary>
public sealed class ClusterCertificates : IDisposable
{
    /// <summary>The HKDF purpose of the CA key; changing it makes a cluster that does not talk to this one.</summary>
    private const string CaPurpose = "appliance cluster ca v1";

    public static readonly TimeSpan LeafLifetime = TimeSpan.FromHours(24);

    // The order n of the P-256 group: a private scalar must lie in [1, n-1].
    private static readonly BigInteger P256Order = BigInteger.Parse("115792089210356248762697446949407573529996955224135760342422259061068512044369", System.Globalization.CultureInfo.InvariantCulture);

    // Fixed so every node makes the same CA certificate (only the signature bytes differ).
    private static readonly DateTimeOffset CaNotBefore = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset CaNotAfter = new(2120, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ECDsa _caKey;
    private readonly X509Certificate2 _caWithKey;
    private readonly string _nodeName;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private X509Certificate2 _leaf;

    private ClusterCertificates(ECDsa caKey, string nodeName, TimeProvider time)
    {
        _caKey = caKey;
        _nodeName = nodeName;
        _time = time;
        var request = new CertificateRequest(new X500DistinguishedName("CN=Appliance cluster CA"), caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _caWithKey = request.CreateSelfSigned(CaNotBefore, CaNotAfter);
        Authority = X509CertificateLoader.LoadCertificate(_caWithKey.RawData);
        _leaf = Issue();
    }

    /// <summary>The CA certificate (public part only): what a peer's certificate must chain to.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>This node's certificate with its private key, renewed once half its life has passed.</summary>
    public X509Certificate2 Current
    {
        get
        {
            lock (_gate)
            {
                var halfLife = _leaf.NotBefore.ToUniversalTime() + (LeafLifetime / 2);
                if (_time.GetUtcNow().UtcDateTime >= halfLife)
                {
                    // The old one is not disposed: connections made with it may still use it.
                    _leaf = Issue();
                }

                return _leaf;
            }
        }
    }

    /// <summary>The credentials of the cluster whose key is <paramref name="key"/>, for the node <paramref name="nodeName"/>.</summary>
    public static ClusterCertificates Create(ClusterKey key, string nodeName, TimeProvider time) =>
        new(DeriveCaKey(key), nodeName, time);

    /// <summary>
    /// The CA key: a P-256 scalar from HKDF; in the rare case (about 2^-32) that the bytes are not
    /// a valid scalar, the next counter value is tried, so the result is still the same on every node.
    /// </summary>
    internal static ECDsa DeriveCaKey(ClusterKey key)
    {
        for (var counter = 0; ; counter++)
        {
            var d = key.Derive(counter == 0 ? CaPurpose : $"{CaPurpose} #{counter}", 32);
            var scalar = new BigInteger(d, isUnsigned: true, isBigEndian: true);
            if (scalar.IsZero || scalar >= P256Order)
            {
                CryptographicOperations.ZeroMemory(d);
                continue;
            }

            var ecdsa = ECDsa.Create();
            try
            {
                // Q is left out: the platform computes the public point from D.
                ecdsa.ImportParameters(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
                return ecdsa;
            }
            catch
            {
                ecdsa.Dispose();
                throw;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(d);
            }
        }
    }

    private X509Certificate2 Issue()
    {
        var now = _time.GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={SafeName(_nodeName)}, O=Appliance cluster"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client authentication
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_caWithKey, true, false));
        // A few minutes back, for clocks of the nodes that differ a little.
        using var issued = request.Create(_caWithKey, now.AddMinutes(-5), now + LeafLifetime, RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        // Through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    private static string SafeName(string name) => new([.. name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')]);

    /// <summary>
    /// Whether <paramref name="certificate"/> was issued by this cluster's CA and is in date. The
    /// reason of a refusal names the chain problem, never a key.
    /// </summary>
    public bool IsIssuedByCluster(X509Certificate2? certificate, out string reason)
    {
        if (certificate is null)
        {
            reason = "it presented no certificate";
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (chain.Build(certificate))
        {
            reason = "";
            return true;
        }

        var problems = chain.ChainStatus.Select(s => s.Status.ToString()).Distinct();
        reason = $"its certificate ({certificate.Subject}) is not from this cluster's key: {string.Join(", ", problems)}";
        return false;
    }

    public void Dispose()
    {
        _caWithKey.Dispose();
        _caKey.Dispose();
        Authority.Dispose();
    }
}

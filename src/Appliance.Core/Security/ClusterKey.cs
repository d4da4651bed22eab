using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Appliance.Core.Security;

/// <summary>
/// The secret every node of a cluster shares, from which the cluster's credentials are derived
/// (<see cref="Derive"/>: one key per purpose, so no two uses ever share key material). At least 32 random bytes,
/// stored base64-encoded in a file: <c>head -c 32 /dev/urandom | base64 &gt; /etc/appliance/cluster.key</c>.
/// Never printed: <see cref="ToString"/> does not show the bytes.
/// </summary>
public sealed class ClusterKey
{
    /// <summary>The shortest key accepted, in bytes (the HMAC-SHA256 output size).</summary>
    public const int MinimumLength = 32;

    /// <summary>Files larger than this are refused unread: a key file is a line of base64, not a blob.</summary>
    public const int MaximumFileLength = 64 * 1024;

    private readonly byte[] _bytes;

    private ClusterKey(byte[] bytes) => _bytes = bytes;

    /// <summary>Number of key bytes.</summary>
    public int Length => _bytes.Length;

    internal ReadOnlySpan<byte> Span => _bytes;

    /// <summary>A key from raw bytes (copied). Throws when shorter than <see cref="MinimumLength"/>: that is a caller's bug.</summary>
    public static ClusterKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < MinimumLength)
        {
            throw new ArgumentException($"A cluster key needs at least {MinimumLength} bytes; got {bytes.Length}.", nameof(bytes));
        }

        return new ClusterKey(bytes.ToArray());
    }

    /// <summary>A fresh random key (tests, and generating a key file).</summary>
    public static ClusterKey Generate(int length = MinimumLength) => FromBytes(RandomNumberGenerator.GetBytes(length));

    /// <summary>Parses the base64 text of a key file; whitespace and line breaks are ignored.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out ClusterKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        var compact = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        if (compact.Length == 0)
        {
            error = "is empty; it must hold the base64 encoding of at least 32 random bytes";
            return false;
        }

        var buffer = new byte[(compact.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(compact, buffer, out var written))
        {
            error = "is not valid base64; it must hold the base64 encoding of at least 32 random bytes";
            return false;
        }

        if (written < MinimumLength)
        {
            CryptographicOperations.ZeroMemory(buffer);
            error = $"decodes to {written} bytes; at least {MinimumLength} are needed";
            return false;
        }

        key = new ClusterKey(buffer.AsSpan(0, written).ToArray());
        CryptographicOperations.ZeroMemory(buffer);
        error = null;
        return true;
    }

    /// <summary>
    /// Loads a key file. Errors name the file, say what is wrong and how to make a good one; they
    /// never contain the file's content.
    /// </summary>
    public static bool TryLoad(string path, [NotNullWhen(true)] out ClusterKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        const string Fix = "create one with: head -c 32 /dev/urandom | base64 > {0} (the same file on every node)";
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                error = $"Cluster key file '{path}' does not exist; " + string.Format(System.Globalization.CultureInfo.InvariantCulture, Fix, path);
                return false;
            }

            if (info.Length > MaximumFileLength)
            {
                error = $"Cluster key file '{path}' is {info.Length} bytes, more than the {MaximumFileLength} allowed; it must hold one line of base64";
                return false;
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"Cluster key file '{path}' cannot be read: {e.Message}";
            return false;
        }

        if (!TryParse(text, out key, out var problem))
        {
            error = $"Cluster key file '{path}' {problem}; " + string.Format(System.Globalization.CultureInfo.InvariantCulture, Fix, path);
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>
    /// A key for one purpose (HKDF-SHA256 with <paramref name="purpose"/> as its info), e.g.
    /// <c>"appliance vip adverts v1"</c>. Purposes are fixed strings of the code, never data.
    /// </summary>
    public byte[] Derive(string purpose, int length = 32) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _bytes, length, salt: null, info: System.Text.Encoding.UTF8.GetBytes(purpose));

    /// <summary>Compares in constant time.</summary>
    public bool SameAs(ClusterKey other) => CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    public override string ToString() => $"ClusterKey({_bytes.Length} bytes, redacted)";
}

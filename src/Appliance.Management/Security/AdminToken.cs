using System.Security.Cryptography;
using System.Text;

namespace Appliance.Management.Security;

/// <summary>
/// The bearer token remote callers must present. Only its SHA-256 is kept; a presented token is
/// hashed and compared in constant time, so neither its content nor its length leaks through timing.
/// Never logged, never part of an error message.
/// </summary>
public sealed class AdminToken
{
    private readonly byte[] _hash;

    private AdminToken(byte[] hash) => _hash = hash;

    /// <summary>
    /// Reads the token from <paramref name="path"/> (surrounding whitespace and the final newline are
    /// ignored). Throws <see cref="IOException"/> with a message naming the file, never its content.
    /// </summary>
    public static AdminToken Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read the admin token file '{path}' (Admin.TokenFile): {e.Message}", e);
        }

        if (text.Length == 0)
        {
            throw new IOException($"the admin token file '{path}' (Admin.TokenFile) is empty; put a long random token in it, e.g. `openssl rand -hex 32 > {path}`.");
        }

        return FromSecret(text);
    }

    /// <summary>A token from its text (tests and <see cref="Load"/>).</summary>
    public static AdminToken FromSecret(string secret) => new(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>True when <paramref name="presented"/> is the token; constant time.</summary>
    public bool Matches(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        return CryptographicOperations.FixedTimeEquals(hash, _hash);
    }
}

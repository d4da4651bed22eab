using System.Text.Encodings.Web;
using System.Text.Json;

namespace Appliance.Management.Contracts;

/// <summary>
/// The serializer both sides use: <see cref="AdminJsonContext"/> with camelCase names and relaxed
/// escaping, so messages read as written (<c>'web'</c>, not <c>\u0027web\u0027</c>). Safe here:
/// the API answers <c>application/json</c>, never HTML.
/// </summary>
public static class AdminJson
{
    /// <summary>Compact, for the wire.</summary>
    public static AdminJsonContext Context { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Indented, for <c>appliancectl --json</c>.</summary>
    public static AdminJsonContext Indented { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    });
}

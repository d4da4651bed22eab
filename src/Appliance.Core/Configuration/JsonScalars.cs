using System.Globalization;
using System.Text.Json;

namespace Appliance.Core.Configuration;

/// <summary>
/// Reads scalar values the way .NET configuration does: numbers and booleans may also be written
/// as strings ("10", "true"), since IConfiguration stores every value as text. On failure the
/// returned message says what was expected and shows an example.
/// </summary>
internal static class JsonScalars
{
    public static string? ReadString(JsonElement value, out string? error)
    {
        error = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                return value.GetRawText();
            default:
                error = $"expected text, found {JsonPaths.Describe(value)}.";
                return null;
        }
    }

    public static int ReadInt(JsonElement value, out string? error)
    {
        error = null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        error = $"expected a whole number (e.g. 10), found {JsonPaths.Describe(value)}.";
        return 0;
    }

    public static double ReadDouble(JsonElement value, out string? error)
    {
        error = null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number)
            && double.IsFinite(number))
        {
            return number;
        }

        error = $"expected a number (e.g. 0.5), found {JsonPaths.Describe(value)}.";
        return 0;
    }

    public static bool ReadBool(JsonElement value, out string? error)
    {
        error = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.String when bool.TryParse(value.GetString(), out var flag):
                return flag;
            default:
                error = $"expected true or false, found {JsonPaths.Describe(value)}.";
                return false;
        }
    }

    /// <summary>
    /// Durations are "[d.]hh:mm:ss[.fffffff]" text. A colon is required: TimeSpan parsing alone would
    /// read "5" as five days, surely not what someone meaning five seconds wrote.
    /// </summary>
    public static TimeSpan ReadTimeSpan(JsonElement value, out string? error)
    {
        error = null;
        if (value.ValueKind == JsonValueKind.String
            && value.GetString() is { } text
            && text.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParseExact(text.Trim(), "c", CultureInfo.InvariantCulture, out var span))
        {
            return span;
        }

        error = $"expected a duration as \"hh:mm:ss\" (e.g. \"00:00:05\" for five seconds, \"1.00:00:00\" for a day), "
            + $"found {JsonPaths.Describe(value)}.";
        return TimeSpan.Zero;
    }
}

using System.Text.Json;

namespace Appliance.Core.Configuration;

/// <summary>Builds the JSON paths error messages point at, e.g. <c>$.Listeners[0].Address</c>.</summary>
internal static class JsonPaths
{
    public const string Root = "$";

    /// <summary>Appends a key; keys that are not plain identifiers use bracket notation so the path stays unambiguous.</summary>
    public static string Property(string parent, string key) =>
        IsPlain(key) ? $"{parent}.{key}" : $"{parent}['{key.Replace("'", "\\'", StringComparison.Ordinal)}']";

    public static string Index(string parent, int index) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{parent}[{index}]");

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies inside it.</summary>
    public static bool IsWithin(string path, string ancestor) =>
        path.StartsWith(ancestor, StringComparison.Ordinal)
        && (path.Length == ancestor.Length || path[ancestor.Length] is '.' or '[');

    /// <summary>How a JSON value is named in messages ("a string", "an object").</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the text \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the value {value.GetRawText()}",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static bool IsPlain(string key)
    {
        if (key.Length == 0)
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-')
            {
                return false;
            }
        }

        return true;
    }
}

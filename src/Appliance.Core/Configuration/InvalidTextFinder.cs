using System.Text.Json;

namespace Appliance.Core.Configuration;

/// <summary>
/// Reports names and string values that held bytes which are not UTF-8. Decoding the file turns
/// each such byte into U+FFFD, the replacement character, without complaint, so a route or node
/// named with a stray 0xFF would load under a name nobody typed and no tool can match.
/// </summary>
internal static class InvalidTextFinder
{
    private const char Replacement = '\uFFFD';

    private const string Fix = "the file holds bytes that are not UTF-8 here (each read as U+FFFD, the replacement character): "
        + "save the file as UTF-8 and retype the text (e.g. `iconv -f latin1 -t utf-8`).";

    public static void Find(JsonElement element, string path, ICollection<ConfigError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    var memberPath = JsonPaths.Property(path, member.Name);
                    if (member.Name.Contains(Replacement, StringComparison.Ordinal))
                    {
                        errors.Add(new(memberPath, $"the name {Fix}"));
                    }

                    Find(member.Value, memberPath, errors);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Find(item, JsonPaths.Index(path, index++), errors);
                }

                break;
            case JsonValueKind.String:
                // The value itself is not repeated: it may be a file path or a token someone pasted.
                if (element.GetString()!.Contains(Replacement, StringComparison.Ordinal))
                {
                    errors.Add(new(path, $"the value {Fix}"));
                }

                break;
            default:
                break;
        }
    }
}

using System.Text.Json;

namespace Appliance.Core.Configuration;

/// <summary>
/// Reports keys written twice in one object. JSON parsers keep one silently, and keys compare
/// case-insensitively here, so "Weight" and "weight" side by side are the same setting given twice;
/// .NET's JSON configuration provider even refuses such a file outright.
/// </summary>
internal static class DuplicateKeyFinder
{
    public static void Find(JsonElement element, string path, ICollection<ConfigError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var member in element.EnumerateObject())
                {
                    var memberPath = JsonPaths.Property(path, member.Name);
                    if (!seen.Add(member.Name))
                    {
                        errors.Add(new(memberPath,
                            $"'{member.Name}' is given more than once in this object (keys ignore case): keep only one."));
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
            default:
                break;
        }
    }
}

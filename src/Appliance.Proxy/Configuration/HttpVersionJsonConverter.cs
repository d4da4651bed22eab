using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Proxy;

/// <summary>
/// Reads an HTTP version the way YARP's own configuration reader does: <c>"2"</c> means 2.0 and
/// <c>"1.1"</c> 1.1, so <c>"HttpRequest": { "Version": "2" }</c> from YARP's documentation works
/// unchanged (System.Text.Json alone wants "2.0"). Only the versions HttpClient can speak pass.
/// </summary>
internal sealed class HttpVersionJsonConverter : JsonConverter<Version>
{
    private static readonly Version[] Known = [new(1, 0), new(1, 1), new(2, 0), new(3, 0)];

    public override Version Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString() ?? "",
            JsonTokenType.Number => NumberText(reader),
            _ => throw new JsonException("an HTTP version is a string such as \"1.1\" or \"2\""),
        };
        var withMinor = text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
        if (!Version.TryParse(withMinor, out var version) || Array.IndexOf(Known, version) < 0)
        {
            throw new JsonException($"\"{text}\" is not an HTTP version; use one of 1.0, 1.1, 2, 3");
        }

        return version;
    }

    public override void Write(Utf8JsonWriter writer, Version value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(2));

    private static string NumberText(Utf8JsonReader reader) =>
        reader.GetDouble().ToString(CultureInfo.InvariantCulture);
}

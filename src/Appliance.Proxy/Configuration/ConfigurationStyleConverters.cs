using System.Globalization;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Proxy;

/// <summary>
/// System.Text.Json converters that read values the way YARP's own loader reads them through
/// IConfiguration, where every value is text: <c>true</c> or <c>2</c> where text is expected (a
/// transform's <c>"RequestHeadersCopy": true</c>), <c>"true"</c> where a boolean is, a version
/// written <c>"2"</c>, and <c>SslProtocols</c> as a list of names. Without them a file YARP runs
/// would be refused here.
/// </summary>
internal static class ConfigurationStyleConverters
{
    public static IEnumerable<JsonConverter> All { get; } =
        [new LenientString(), new LenientBoolean(), new LenientNullableBoolean(), new ShortVersion(), new SslProtocolList()];

    private sealed class LenientString : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            JsonTokenType.Number => Encoding(ref reader),
            _ => throw new JsonException($"expected text, found {reader.TokenType}."),
        };

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        private static string Encoding(ref Utf8JsonReader reader) =>
            System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan);
    }

    private sealed class LenientBoolean : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.String when bool.TryParse(reader.GetString(), out var value) => value,
            _ => throw new JsonException("expected true or false."),
        };

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
    }

    private sealed class LenientNullableBoolean : JsonConverter<bool?>
    {
        public override bool? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.String when bool.TryParse(reader.GetString(), out var value) => value,
            _ => throw new JsonException("expected true or false."),
        };

        public override void Write(Utf8JsonWriter writer, bool? value, JsonSerializerOptions options)
        {
            if (value is { } v)
            {
                writer.WriteBooleanValue(v);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    /// <summary>HTTP versions as YARP reads them: "1.1", "2", "3" (a bare major gets ".0").</summary>
    private sealed class ShortVersion : JsonConverter<Version>
    {
        public override Version? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.Number => reader.GetDouble().ToString(CultureInfo.InvariantCulture),
                _ => null,
            };
            if (text is null || !Version.TryParse(text.Contains('.', StringComparison.Ordinal) ? text : text + ".0", out var version))
            {
                throw new JsonException("expected an HTTP version such as \"1.1\" or \"2\".");
            }

            return version;
        }

        public override void Write(Utf8JsonWriter writer, Version value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }

    /// <summary>SslProtocols as a list of names (<c>["Tls12", "Tls13"]</c>), as YARP reads it, or as one text.</summary>
    private sealed class SslProtocolList : JsonConverter<SslProtocols?>
    {
        public override SslProtocols? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    return null;
                case JsonTokenType.String:
                    return Parse(reader.GetString()!);
                case JsonTokenType.StartArray:
                    var value = SslProtocols.None;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        value |= reader.TokenType == JsonTokenType.String ? Parse(reader.GetString()!) : throw new JsonException("expected TLS version names such as \"Tls12\".");
                    }

                    return value;
                default:
                    throw new JsonException("expected a list of TLS versions such as [\"Tls12\", \"Tls13\"].");
            }
        }

        public override void Write(Utf8JsonWriter writer, SslProtocols? value, JsonSerializerOptions options) => writer.WriteStringValue(value?.ToString());

        private static SslProtocols Parse(string text) =>
            Enum.TryParse<SslProtocols>(text, ignoreCase: true, out var value) ? value : throw new JsonException($"'{text}' is not a TLS version such as Tls12 or Tls13.");
    }
}

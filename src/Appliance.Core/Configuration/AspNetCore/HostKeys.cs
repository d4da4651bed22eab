using System.Text.Json;

namespace Appliance.Core.Configuration;

/// <summary>
/// ASP.NET Core's host keys found in YARP files: <c>Logging</c> (levels per category, which the
/// node applies as the host would) and <c>AllowedHosts</c> (host filtering, applied to the data plane).
/// </summary>
internal static class HostKeys
{
    private static readonly string[] Levels = ["Trace", "Debug", "Information", "Warning", "Error", "Critical", "None"];

    /// <summary>
    /// Checks every <c>LogLevel</c> object in the section (<c>Logging.LogLevel</c> and a provider's,
    /// e.g. <c>Logging.Console.LogLevel</c>): a level the host cannot read would stop it at start.
    /// </summary>
    public static void CheckLogging(JsonElement logging, string path, ICollection<ConfigError> errors)
    {
        if (logging.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(path, $"expected an object such as {{ \"LogLevel\": {{ \"Default\": \"Information\" }} }}, found {JsonPaths.Describe(logging)}."));
            return;
        }

        foreach (var member in logging.EnumerateObject())
        {
            var memberPath = JsonPaths.Property(path, member.Name);
            if (member.Name.Equals("LogLevel", StringComparison.OrdinalIgnoreCase))
            {
                CheckLevels(member.Value, memberPath, errors);
            }
            else if (member.Value.ValueKind == JsonValueKind.Object)
            {
                CheckLogging(member.Value, memberPath, errors);
            }
        }
    }

    private static void CheckLevels(JsonElement levels, string path, ICollection<ConfigError> errors)
    {
        if (levels.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(path, $"expected an object of category => level, e.g. {{ \"Default\": \"Information\", \"Yarp\": \"Warning\" }}, found {JsonPaths.Describe(levels)}."));
            return;
        }

        foreach (var level in levels.EnumerateObject())
        {
            var text = level.Value.ValueKind == JsonValueKind.String ? level.Value.GetString() : null;
            if (PolicyNames.Find(Levels, text?.Trim()) is null)
            {
                errors.Add(new(JsonPaths.Property(path, level.Name), $"{level.Value.GetRawText()} is not a log level:{NameSuggestions.Hint(text ?? "", Levels)} "
                    + $"use one of {string.Join(", ", Levels)}."));
            }
        }
    }

    /// <summary>The host names of <c>AllowedHosts</c> ("a.example;*.b.example"); empty for "*", which allows any.</summary>
    public static IReadOnlyList<string> ReadAllowedHosts(JsonElement value, string path, ICollection<ConfigError> errors)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new(path, $"expected text such as \"example.com;*.example.com\" or \"*\", found {JsonPaths.Describe(value)}."));
            return [];
        }

        var hosts = value.GetString()!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (hosts.Length == 0 || hosts.Contains("*"))
        {
            return [];
        }

        foreach (var host in hosts)
        {
            var wildcard = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
            var ipv6 = wildcard.StartsWith('[') && wildcard.EndsWith(']');
            if (wildcard.Length == 0 || wildcard.Contains('*', StringComparison.Ordinal) || (!ipv6 && wildcard.Contains(':', StringComparison.Ordinal))
                || wildcard.Any(char.IsWhiteSpace) || wildcard.Contains('/', StringComparison.Ordinal))
            {
                errors.Add(new(path, $"'{host}' is not a host pattern: write names without port or scheme, e.g. \"example.com\", \"*.example.com\" or \"[::1]\", separated by ';'."));
            }
        }

        return hosts;
    }
}

using System.Text.Json;

namespace Appliance.Core.Configuration;

/// <summary>
/// Reads the appliance's JSON configuration file into an <see cref="ApplianceConfig"/> and validates
/// it. Never throws for a bad file: every problem comes back as a <see cref="ConfigError"/> with its
/// JSON path, and <see cref="ConfigLoadResult.Config"/> is null whenever there is any.
/// </summary>
public static class ConfigLoader
{
    /// <summary>The top-level key ASP.NET's logging configuration uses; its levels are checked and applied by the host.</summary>
    public const string LoggingSection = "Logging";

    /// <summary>ASP.NET's host filtering key, found in YARP's sample files.</summary>
    public const string AllowedHostsSection = "AllowedHosts";

    /// <summary>ASP.NET's listen URLs ("http://*:8080;https://*:8443"), overridden by <see cref="KestrelSection"/> endpoints as in ASP.NET.</summary>
    public const string UrlsSection = "Urls";

    /// <summary>Kestrel's section: its <c>Endpoints</c> become listeners.</summary>
    public const string KestrelSection = "Kestrel";

    private static readonly string[] AspNetCoreSections = [LoggingSection, AllowedHostsSection, UrlsSection, KestrelSection];

    private const string ProxySectionName = "ReverseProxy";

    // The same leniency as .NET's JSON configuration provider, so a file YARP accepts parses here too.
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads, parses and validates the file at <paramref name="path"/>.</summary>
    public static ConfigLoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            var reason = ex is FileNotFoundException or DirectoryNotFoundException
                ? "the file does not exist; check the path given with --config."
                : $"the file cannot be read ({ex.Message}); check its permissions.";
            return Failed([new(JsonPaths.Root, $"Cannot load configuration '{path}': {reason}")]);
        }

        return Parse(json);
    }

    /// <summary>Parses and validates configuration JSON (comments and trailing commas allowed, keys case-insensitive).</summary>
    public static ConfigLoadResult Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return Failed([SyntaxError(ex)]);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Failed([new(JsonPaths.Root,
                    $"The file must hold one JSON object ({{ \"Listeners\": ..., \"ReverseProxy\": ... }}), found {JsonPaths.Describe(root)}.")]);
            }

            var errors = new List<ConfigError>();
            var warnings = new List<ConfigError>();
            DuplicateKeyFinder.Find(root, JsonPaths.Root, errors);
            InvalidTextFinder.Find(root, JsonPaths.Root, errors);
            var binder = new JsonSectionBinder(errors);
            var config = Bind(root, binder, errors, warnings);

            foreach (var error in ConfigValidator.Validate(config))
            {
                if (!binder.FailedPaths.Any(failed => JsonPaths.IsWithin(error.Path, failed)))
                {
                    errors.Add(error);
                }
            }

            return (errors.Count == 0 ? new ConfigLoadResult(config, []) : Failed(errors)) with { Warnings = warnings };
        }
    }

    // Each top-level section binds on its own, so a wrong type in one leaves the others checked.
    private static ApplianceConfig Bind(JsonElement root, JsonSectionBinder binder, List<ConfigError> errors, List<ConfigError> warnings)
    {
        var config = new ApplianceConfig();
        var sections = binder.PropertiesOf(typeof(ApplianceConfig));
        JsonElement? urls = null;
        JsonElement? kestrel = null;
        foreach (var member in root.EnumerateObject())
        {
            var path = JsonPaths.Property(JsonPaths.Root, member.Name);
            if (string.Equals(member.Name, ProxySectionName, StringComparison.OrdinalIgnoreCase))
            {
                var proxy = new ProxySectionReader(errors, binder.FailedPaths).Read(member.Value, JsonPaths.Property(JsonPaths.Root, ProxySectionName));
                config = config with { ReverseProxy = proxy };
            }
            else if (string.Equals(member.Name, LoggingSection, StringComparison.OrdinalIgnoreCase))
            {
                HostKeys.CheckLogging(member.Value, path, errors);
                config = config with { LoggingJson = member.Value.GetRawText() };
            }
            else if (string.Equals(member.Name, AllowedHostsSection, StringComparison.OrdinalIgnoreCase))
            {
                config = config with { AllowedHosts = HostKeys.ReadAllowedHosts(member.Value, path, errors) };
            }
            else if (string.Equals(member.Name, UrlsSection, StringComparison.OrdinalIgnoreCase))
            {
                urls = member.Value;
            }
            else if (string.Equals(member.Name, KestrelSection, StringComparison.OrdinalIgnoreCase))
            {
                kestrel = member.Value;
            }
            else if (sections.TryGetValue(member.Name, out var section))
            {
                binder.BindProperty(config, section, member.Value, JsonPaths.Property(JsonPaths.Root, section.Name));
            }
            else
            {
                var known = sections.Keys.Where(k => !AspNetCoreSections.Contains(k, StringComparer.Ordinal))
                    .Order(StringComparer.Ordinal).Concat(AspNetCoreSections).ToList();
                errors.Add(new(path, $"'{member.Name}' is not a known section.{NameSuggestions.Hint(member.Name, known)} "
                    + $"Correct the spelling or remove it; the sections are: {string.Join(", ", known)}."));
            }
        }

        return AspNetCoreListeners(config, root, urls, kestrel, errors, warnings);
    }

    /// <summary>
    /// Adds the listeners of <c>Urls</c> and <c>Kestrel:Endpoints</c>. As in ASP.NET Core, Kestrel's
    /// endpoints override <c>Urls</c>, and so do our <c>Listeners</c>; <c>Listeners</c> beside
    /// Kestrel endpoints is refused, since neither would clearly be meant.
    /// </summary>
    private static ApplianceConfig AspNetCoreListeners(
        ApplianceConfig config, JsonElement root, JsonElement? urls, JsonElement? kestrel, List<ConfigError> errors, List<ConfigError> warnings)
    {
        var reader = new KestrelListenerReader(errors, warnings);
        var kestrelPath = JsonPaths.Property(JsonPaths.Root, KestrelSection);
        var fromKestrel = kestrel is { } k ? reader.ReadKestrel(k, kestrelPath) : [];
        var hasEndpoints = kestrel is { ValueKind: JsonValueKind.Object } ko && KestrelListenerReader.Member(ko, "Endpoints") is not null;
        var hasListeners = root.EnumerateObject().Any(m => m.Name.Equals(nameof(ApplianceConfig.Listeners), StringComparison.OrdinalIgnoreCase));
        if (hasListeners && hasEndpoints)
        {
            errors.Add(new(JsonPaths.Property(kestrelPath, "Endpoints"), "both Listeners and Kestrel.Endpoints define the HTTP listeners: keep one "
                + "(Kestrel.Endpoints as in an ASP.NET Core file, or Listeners, which also take MaxConnections)."));
            return config;
        }

        var urlsPath = JsonPaths.Property(JsonPaths.Root, UrlsSection);
        if (urls is { } u)
        {
            if (hasListeners || hasEndpoints)
            {
                warnings.Add(new(urlsPath, $"ignored: {(hasListeners ? "Listeners" : "Kestrel.Endpoints")} define the listeners, and override Urls as Kestrel's endpoints do in ASP.NET Core."));
            }
            else
            {
                var defaultCertificate = kestrel is { ValueKind: JsonValueKind.Object } kd
                    && KestrelListenerReader.Member(kd, "Certificates") is { ValueKind: JsonValueKind.Object } certificates
                        ? KestrelListenerReader.Member(certificates, "Default") : null;
                fromKestrel = reader.ReadUrls(u, urlsPath, defaultCertificate);
            }
        }

        return fromKestrel.Count == 0 ? config : config with { Listeners = [.. config.Listeners, .. fromKestrel] };
    }

    private static ConfigError SyntaxError(JsonException ex)
    {
        // The reader's message ends with its own zero-based "LineNumber: n | BytePositionInLine: m."; drop
        // it and give one-based numbers, as editors count.
        var reason = ex.Message;
        var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
        }

        if (cut > 0)
        {
            reason = reason[..cut].TrimEnd(' ', '|', '.');
        }

        var line = (ex.LineNumber ?? 0) + 1;
        var column = (ex.BytePositionInLine ?? 0) + 1;
        return new(JsonPaths.Root, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"The file is not valid JSON at line {line}, column {column}: {reason}. Fix the syntax there (comments and trailing commas are allowed)."));
    }

    private static ConfigLoadResult Failed(IReadOnlyList<ConfigError> errors) => new(null, errors);
}

namespace Appliance.Core.Configuration;

/// <summary>
/// Checks a whole <see cref="ApplianceConfig"/> and reports every problem at once, each with the JSON
/// path of the offending value and a message saying what is wrong and how to fix it. The checks are
/// split by section across the partial files <c>ConfigValidator.*.cs</c>.
/// </summary>
public static partial class ConfigValidator
{
    /// <summary>
    /// Every problem in <paramref name="config"/>; empty when it is valid. Certificate and key files
    /// are checked on disk (they must exist and be readable), so the result depends on the machine.
    /// </summary>
    public static IReadOnlyList<ConfigError> Validate(ApplianceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<ConfigError>();
        if (string.IsNullOrWhiteSpace(config.Node.Name))
        {
            errors.Add(new("$.Node.Name", "the node name is empty: give the node a name (it appears in logs, metrics and the cluster view), or remove the key to use the host name."));
        }

        var endpoints = ValidateListeners(config.Listeners, errors);
        ValidateTcp(config.Tcp, endpoints, errors);
        ValidateForwardedHeaders(config.ForwardedHeaders, errors);
        ValidateAdmin(config.Admin, endpoints, errors);
        ValidateProxy(config.ReverseProxy, errors);
        ValidateBalancing(config.Balancing, config.ReverseProxy, errors);
        ValidateCluster(config.Cluster, errors);
        ValidateVips(config.Vips, config.Cluster is not null, config.ReverseProxy, config.Tcp, errors);
        if (config.Vips.Count > 0)
        {
            ValidateVipAdverts(config.VipAdverts, config.Vips.Count, config.Node.Name, errors);
        }
        return errors;
    }

    private static void ValidateForwardedHeaders(ForwardedHeadersOptions options, List<ConfigError> errors)
    {
        for (var i = 0; i < options.TrustedProxies.Count; i++)
        {
            if (!IpText.TryParseAddressOrNetwork(options.TrustedProxies[i], out var error))
            {
                errors.Add(new(JsonPaths.Index("$.ForwardedHeaders.TrustedProxies", i), error));
            }
        }
    }

    private static void ValidateAdmin(AdminOptions admin, List<BoundEndpoint> listeners, List<ConfigError> errors)
    {
        const string Path = "$.Admin.Address";
        if (!EndpointParser.TryParseEndpoint(admin.Address, out var host, out var port, out var error))
        {
            errors.Add(new(Path, $"the admin address is not valid: {error}"));
            return;
        }

        foreach (var listener in listeners)
        {
            if (listener.Port == port && HostsOverlap(listener.Host, host))
            {
                errors.Add(new(Path, $"'{admin.Address}' overlaps the listener at {listener.Path} ('{listener.Text}'): "
                    + "the admin API needs a port of its own; pick another port (the default is 127.0.0.1:9900)."));
            }
        }

        if (admin.TokenFile is { } tokenFile)
        {
            ValidateTokenFile(tokenFile, errors);
        }
    }

    /// <summary>The token file must exist, be readable and hold a token; its content never appears in a message.</summary>
    private static void ValidateTokenFile(string file, List<ConfigError> errors)
    {
        const string Path = "$.Admin.TokenFile";
        const string Make = "create it with e.g. `openssl rand -hex 32 > FILE` and let the appliance user read it (chmod 640)";
        if (string.IsNullOrWhiteSpace(file))
        {
            errors.Add(new(Path, "the token file path is empty: give the file holding the admin bearer token, or remove the key to serve local callers only."));
            return;
        }

        if (!File.Exists(file))
        {
            errors.Add(new(Path, $"the token file '{file}' does not exist: {Make}."));
            return;
        }

        try
        {
            if (File.ReadAllText(file).Trim().Length == 0)
            {
                errors.Add(new(Path, $"the token file '{file}' is empty: {Make}."));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add(new(Path, $"the token file '{file}' cannot be read ({ex.Message}): {Make}."));
        }
    }

    /// <summary>Joins names for messages: <c>'a', 'b'</c>, or a stand-in when there are none.</summary>
    private static string Quote(IEnumerable<string> names, string none = "none are defined")
    {
        var text = string.Join(", ", names.Select(n => $"'{n}'"));
        return text.Length == 0 ? none : text;
    }

    /// <summary>
    /// "use one of 'a', 'b'" followed by <paramref name="orElse"/>, or, when there are no names to
    /// choose from, <paramref name="none"/> alone (never "use one of none are defined").
    /// </summary>
    private static string UseOneOf(IEnumerable<string> names, string orElse, string none)
    {
        var list = names.ToList();
        return list.Count == 0 ? none : $"use one of {Quote(list)}{orElse}";
    }

    private static bool IsOneOf(string? value, IReadOnlyList<string> names) => PolicyNames.Find(names, value) is not null;
}

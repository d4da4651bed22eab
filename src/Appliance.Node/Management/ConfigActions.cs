using Appliance.Core.Configuration;
using Appliance.Management.Contracts;
using Appliance.Management.Sources;
using Appliance.Node.Hosting;
using Appliance.Proxy;

namespace Appliance.Node.Management;

/// <summary>
/// Validation as <c>applianced validate</c> does it (file rules, then the proxy's own checks), and
/// reload through <see cref="ConfigReloader"/>, the path SIGHUP takes.
/// </summary>
internal sealed class ConfigActions(ProxyConfigurator configurator, ConfigReloader? reloader = null) : IConfigActions
{
    public string? ConfigPath => reloader?.Path;

    public async Task<ValidationResult> ValidateAsync(string json, CancellationToken cancel)
    {
        var loaded = ConfigLoader.Parse(json);
        IReadOnlyList<ConfigError> errors = loaded.Errors;
        if (loaded.Config is { } config)
        {
            (_, var proxyErrors) = await configurator.CheckAsync(config).ConfigureAwait(false);
            errors = proxyErrors;
        }

        var problems = errors.Select(e => new ConfigProblem(e.Path, e.Message)).ToList();
        var summary = problems.Count == 0
            ? $"valid: {loaded.Config!.ReverseProxy.Routes.Count} route(s), {loaded.Config.ReverseProxy.Clusters.Count} cluster(s), {loaded.Config.Listeners.Count} listener(s)"
            : $"not valid: {problems.Count} problem(s)";
        return new ValidationResult(problems.Count == 0, problems, summary, [.. loaded.Warnings.Select(w => new ConfigProblem(w.Path, w.Message))]);
    }

    public async Task<ReloadOutcome> ReloadAsync(string trigger, CancellationToken cancel)
    {
        if (reloader is null)
        {
            throw new InvalidOperationException("no configuration file to reload; check ConfigPath first.");
        }

        var result = await reloader.RequestAsync(trigger, cancel).ConfigureAwait(false);
        return new ReloadOutcome(result.Applied, result.Revision, result.AppliedAt,
            result.Errors.Select(e => new ConfigProblem(e.Path, e.Message)).ToList());
    }
}

using Appliance.Core.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Appliance.Proxy;

namespace Appliance.Node.Hosting;

/// <summary><c>applianced run --config FILE</c> and <c>applianced validate --config FILE</c>.</summary>
internal static class RunCommand
{
    /// <summary>Exit code for a configuration that was refused.</summary>
    public const int InvalidConfig = 2;

    /// <summary>Exit code for a node that could not start for another reason (e.g. a port in use).</summary>
    public const int StartFailed = 1;

    public static async Task<int> RunAsync(string path, CancellationToken cancel)
    {
        var loaded = ConfigLoader.LoadFile(path);
        if (loaded.Config is not { } config)
        {
            return Report(path, loaded.Errors);
        }

        ReportWarnings(path, loaded.Warnings);
        try
        {
            await using var app = await NodeHost.BuildAsync(config, path).ConfigureAwait(false);
            await app.StartAsync(cancel).ConfigureAwait(false);
            NodeLog.Started(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Appliance.Node"),
                config.Node.Name, config.Listeners.Count, config.ReverseProxy.Routes.Count, config.ReverseProxy.Clusters.Count, path);
            await app.WaitForShutdownAsync(cancel).ConfigureAwait(false);
            return 0;
        }
        catch (ConfigRejectedException e)
        {
            return Report(path, e.Errors);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"applianced: cannot start: {e.Message}").ConfigureAwait(false);
            return StartFailed;
        }
    }

    /// <summary>Checks a file as <c>run</c> would, without serving: file rules, then the proxy's own checks.</summary>
    public static async Task<int> ValidateAsync(string path)
    {
        var loaded = ConfigLoader.LoadFile(path);
        if (loaded.Config is not { } config)
        {
            return Report(path, loaded.Errors);
        }

        ReportWarnings(path, loaded.Warnings);
        var services = new ServiceCollection().AddLogging().AddApplianceProxy();
        await using var provider = services.BuildServiceProvider();
        var (_, errors) = await provider.GetRequiredService<ProxyConfigurator>().CheckAsync(config).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            return Report(path, errors);
        }

        Console.WriteLine($"{path}: valid ({config.ReverseProxy.Routes.Count} route(s), {config.ReverseProxy.Clusters.Count} cluster(s), {config.Listeners.Count} listener(s))");
        return 0;
    }

    /// <summary>Keys read but not acted on, on standard error (the journal, under systemd).</summary>
    private static void ReportWarnings(string path, IReadOnlyList<ConfigError> warnings)
    {
        foreach (var warning in warnings)
        {
            Console.Error.WriteLine($"applianced: {path}: warning: {warning.Path}: {warning.Message}");
        }
    }

    private static int Report(string path, IReadOnlyList<ConfigError> errors)
    {
        Console.Error.WriteLine($"applianced: {path} is not a valid configuration ({errors.Count} problem(s)):");
        foreach (var error in errors)
        {
            Console.Error.WriteLine($"  {error.Path}: {error.Message}");
        }

        return InvalidConfig;
    }
}

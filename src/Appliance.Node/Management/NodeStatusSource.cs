using System.Reflection;
using Appliance.Management.Contracts;
using Appliance.Management.Sources;
using Appliance.Node.Hosting;
using Appliance.Proxy;
using Microsoft.Extensions.Hosting;
using Appliance.Core.Membership;

namespace Appliance.Node.Management;

/// <summary>The node's identity, readiness and configuration revision, from the host and the config store.</summary>
internal sealed class NodeStatusSource(
    ConfigStore store,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ConfigReloader? reloader = null,
    IStateSyncStatus? stateSync = null) : INodeStatusSource
{
    /// <summary>The daemon's version as built (informational version, without source-control metadata).</summary>
    public static readonly string Version = ReadVersion();

    /// <summary>The readiness reason while replicated state is still being pulled.</summary>
    public const string StateSyncNotFinished = "state sync not finished: pulling sticky sessions and connection counts from a peer";

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public NodeStatus Current()
    {
        var now = time.GetUtcNow();
        var reasons = NotReadyReasons();
        var last = reloader?.Last is { } l ? new ReloadAttempt(l.At, l.Trigger, l.Applied, l.Errors.Count) : null;
        return new NodeStatus(
            store.Current.Node.Name,
            Version,
            StartedAt,
            Math.Round((now - StartedAt).TotalSeconds, 1),
            reasons.Count == 0,
            reasons,
            new ConfigState(store.Revision, store.Revision > 0 ? store.AppliedAt : null, reloader?.Path, last),
            "not configured");
    }

    /// <summary>
    /// Ready means: a configuration applied, the listeners bound, the cluster's replicated state
    /// pulled (in a cluster: from a peer, or alone, or past the bounded wait), and not shutting down.
    /// </summary>
    public IReadOnlyList<string> NotReadyReasons()
    {
        var reasons = new List<string>();
        if (store.Revision == 0)
        {
            reasons.Add("no configuration applied yet");
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            reasons.Add("shutting down");
        }
        else if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            reasons.Add("starting: client listeners not bound yet");
        }

        if (stateSync is { IsStateSynced: false })
        {
            reasons.Add(StateSyncNotFinished);
        }

        return reasons;
    }

    private static string ReadVersion()
    {
        var assembly = typeof(NodeStatusSource).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}

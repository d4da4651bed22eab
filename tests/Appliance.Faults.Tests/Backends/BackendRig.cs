using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Backends;

/// <summary>
/// A real node in front of two real backends ("steady" and "faulty", round robin) with client
/// traffic running through it: the stage for one backend fault. Active checks every
/// <see cref="Interval"/> (probe timeout <see cref="ProbeTimeout"/>, rise/fall 2), an activity
/// timeout on backend requests, and a slow-start ramp; tests adjust the JSON before the start.
/// </summary>
internal sealed class BackendRig : IAsyncDisposable
{
    public const int Fall = 2;
    public const int Rise = 2;
    public const int Workers = 4;
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan ActivityTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan SlowStart = TimeSpan.FromSeconds(4);

    /// <summary>What a loaded two-core machine may add to any configured time before a test calls it a failure.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    private BackendRig(FaultBackend steady, FaultBackend faulty, NodeProcess node)
    {
        Steady = steady;
        Faulty = faulty;
        Node = node;
    }

    public FaultBackend Steady { get; }

    public FaultBackend Faulty { get; }

    public NodeProcess Node { get; }

    public TrafficLoop Traffic { get; private set; } = null!;

    public static JsonObject Config(int port, FaultBackend steady, FaultBackend faulty, bool activeChecks = true) => new()
    {
        ["Listeners"] = new JsonArray(new JsonObject { ["Name"] = "web", ["Address"] = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}" }),
        ["ReverseProxy"] = new JsonObject
        {
            ["Routes"] = new JsonObject { ["all"] = new JsonObject { ["ClusterId"] = "web", ["Match"] = new JsonObject { ["Path"] = "/{**rest}" } } },
            ["Clusters"] = new JsonObject
            {
                ["web"] = new JsonObject
                {
                    ["LoadBalancingPolicy"] = "RoundRobin",
                    ["Destinations"] = new JsonObject
                    {
                        [steady.Name] = new JsonObject { ["Address"] = steady.Url.ToString() },
                        [faulty.Name] = new JsonObject { ["Address"] = faulty.Url.ToString() },
                    },
                    ["HealthCheck"] = new JsonObject
                    {
                        ["Active"] = new JsonObject
                        {
                            ["Enabled"] = activeChecks,
                            ["Interval"] = Duration(Interval),
                            ["Timeout"] = Duration(ProbeTimeout),
                            ["Path"] = "/health",
                        },
                    },
                    ["HttpRequest"] = new JsonObject
                    {
                        ["ActivityTimeout"] = Duration(ActivityTimeout),
                        ["Version"] = "1.1",
                        ["VersionPolicy"] = "RequestVersionOrLower",
                    },
                },
            },
        },
        ["Balancing"] = new JsonObject
        {
            ["Clusters"] = new JsonObject
            {
                ["web"] = new JsonObject
                {
                    ["SlowStart"] = Duration(SlowStart),
                    ["HealthCheck"] = new JsonObject { ["Rise"] = Rise, ["Fall"] = Fall },
                },
            },
        },
    };

    public static string Duration(TimeSpan t) => t.ToString("c", CultureInfo.InvariantCulture);

    /// <summary>Starts the backends, the node and the traffic; returns once both backends have answered clients.</summary>
    public static async Task<BackendRig> StartAsync(Action<JsonObject>? adjust = null, bool activeChecks = true)
    {
        var steady = await FaultBackend.StartAsync("steady");
        var faulty = await FaultBackend.StartAsync("faulty");
        var config = Config(FreePort.Next(), steady, faulty, activeChecks);
        adjust?.Invoke(config);
        NodeProcess node;
        try
        {
            node = await NodeProcess.StartAsync(config);
        }
        catch
        {
            await steady.DisposeAsync();
            await faulty.DisposeAsync();
            throw;
        }

        var rig = new BackendRig(steady, faulty, node);
        rig.Traffic = TrafficLoop.Start(node.HttpUrl, Workers);
        await rig.Traffic.WaitUntilAsync(r => r.Any(x => x.Backend == "faulty") && r.Any(x => x.Backend == "steady"),
            TimeSpan.FromSeconds(30), "both backends answered through the node");
        return rig;
    }

    /// <summary>Polls the admin API until the node takes the faulty backend out of rotation; returns how long that took.</summary>
    public Task<TimeSpan> WaitUntilOutAsync(long since, TimeSpan bound) => WaitForAvailabilityAsync(false, since, bound);

    /// <summary>Polls the admin API until health lets the faulty backend take traffic again; returns how long that took.</summary>
    public Task<TimeSpan> WaitUntilBackAsync(long since, TimeSpan bound) => WaitForAvailabilityAsync(true, since, bound);

    private async Task<TimeSpan> WaitForAvailabilityAsync(bool available, long since, TimeSpan bound)
    {
        while (await Node.IsAvailableAsync("web", "faulty") != available)
        {
            var elapsed = Stopwatch.GetElapsedTime(since);
            Assert.True(elapsed < bound, $"the node did not mark the faulty backend {(available ? "up" : "down")} within {bound.TotalSeconds:0.0} s");
            await Task.Delay(20);
        }

        return Stopwatch.GetElapsedTime(since);
    }

    /// <summary>The share of answered requests that started in [from, to) and came from the faulty backend.</summary>
    public static (double Share, int Requests) FaultyShare(IReadOnlyList<RequestResult> results, TimeSpan from, TimeSpan to)
    {
        var window = results.Where(r => r.Status == 200 && r.Started >= from && r.Started < to).ToList();
        return (window.Count == 0 ? 0 : window.Count(r => r.Backend == "faulty") / (double)window.Count, window.Count);
    }

    public async ValueTask DisposeAsync()
    {
        if (Traffic is not null)
        {
            await Traffic.DisposeAsync();
        }

        await Node.DisposeAsync();
        await Steady.DisposeAsync();
        await Faulty.DisposeAsync();
    }
}

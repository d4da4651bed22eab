using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.BadInput;

/// <summary>
/// One real node in front of one recording backend, shared by the bad-request tests of a class: the
/// backend's list of paths says whether anything got through. Passive health checks are on (two
/// failures in a row eject), so a client's bad input that counted against the backend would show.
/// </summary>
public sealed class EdgeNodeFixture : IAsyncLifetime
{
    internal FaultBackend Backend { get; private set; } = null!;

    internal NodeProcess Node { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await FaultBackend.StartAsync("backend");
        Node = await NodeProcess.StartAsync(Config(FreePort.Next(), Backend));
    }

    internal static JsonObject Config(int port, FaultBackend backend) => new()
    {
        ["Listeners"] = new JsonArray(new JsonObject { ["Name"] = "web", ["Address"] = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}" }),
        ["ReverseProxy"] = new JsonObject
        {
            ["Routes"] = new JsonObject { ["all"] = new JsonObject { ["ClusterId"] = "web", ["Match"] = new JsonObject { ["Path"] = "/{**rest}" } } },
            ["Clusters"] = new JsonObject
            {
                ["web"] = new JsonObject { ["Destinations"] = new JsonObject { [backend.Name] = new JsonObject { ["Address"] = backend.Url.ToString() } } },
            },
        },
        ["Balancing"] = new JsonObject
        {
            ["Clusters"] = new JsonObject
            {
                ["web"] = new JsonObject
                {
                    ["PassiveHealthCheck"] = new JsonObject { ["Enabled"] = true, ["ConsecutiveFailures"] = 2, ["ReactivationPeriod"] = "00:01:00" },
                },
            },
        },
    };

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await Backend.DisposeAsync();
    }
}

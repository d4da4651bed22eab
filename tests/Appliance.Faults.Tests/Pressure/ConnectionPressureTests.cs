using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Tests.BadInput;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Pressure;

/// <summary>
/// More client connections than a node should hold: the listener's <c>MaxConnections</c> closes the
/// excess at once, the connections it holds keep being served, the admin API keeps answering, and
/// memory and descriptors stay bounded and come back when the clients leave. The small case runs in
/// a node whose open-file limit (1,024) is below the flood; the large one holds 20,000 connections.
/// </summary>
[Trait("Category", "Faults")]
[Collection(nameof(PressureCollection))]
public sealed class ConnectionPressureTests(ITestOutputHelper output)
{
    /// <summary>
    /// The stated bound for 20,000 idle keep-alive connections: the daemon's resident memory stays
    /// under this (docs/reliability.md; measured at about half of it).
    /// </summary>
    private const long TwentyThousandBoundBytes = 768L * 1024 * 1024;

    private void Figure(string test, string figure, double value, string unit) => Figures.Record(output, test, figure, value, unit);

    private static JsonObject Config(int port, FaultBackend backend, int maxConnections)
    {
        var config = EdgeNodeFixture.Config(port, backend);
        config["Listeners"]![0]!["MaxConnections"] = maxConnections;
        return config;
    }

    [Fact]
    public async Task MaxConnections_FloodPastIt_ExcessClosedAtOnce_HeldServed_AdminAnswers()
    {
        const int Limit = 500;
        const int Flood = 1_200;
        await using var backend = await FaultBackend.StartAsync("backend");
        var port = FreePort.Next();
        await using var node = await NodeProcess.StartAsync(Config(port, backend, Limit), wrapper: ["prlimit", "--nofile=1024:1024"]);
        var descriptorsBefore = node.OpenDescriptors();
        var phase = Stopwatch.StartNew();

        using var swarm = await ClientSwarm.OpenAsync(port, Flood, parallel: 50, ClientSwarm.Sources(4));
        output.WriteLine($"flood: {phase.Elapsed.TotalSeconds:0.0} s");

        Assert.True(swarm.Failed == 0, string.Join("; ", swarm.Errors.Take(5)));
        Assert.Equal(Limit, swarm.Served);
        Assert.Equal(Flood - Limit, swarm.Refused);
        var adminSlowest = await AdminSlowestAsync(node, 10);
        var descriptorsFull = node.OpenDescriptors();
        var metrics = await node.MetricsAsync();
        Assert.Equal(Limit, metrics.Value("appliance_listener_connections", ("listener", "web")));
        Assert.Equal(Flood - Limit, metrics.Value("appliance_listener_connections_refused_total", ("listener", "web")));
        Assert.Equal(100, await swarm.ReuseAsync(100));
        Assert.Contains("holds its maximum of 500 connections", node.Output, StringComparison.Ordinal);

        // Room frees as clients leave.
        swarm.Close(100);
        await WaitForOpenAsync(node, Limit - 100);
        await swarm.AddAsync(100, parallel: 20, ClientSwarm.Sources(4));
        Assert.Equal(Limit, swarm.Served);

        output.WriteLine($"reuse and refill: {phase.Elapsed.TotalSeconds:0.0} s");
        swarm.Dispose();
        await WaitForOpenAsync(node, 0);
        output.WriteLine($"all closed: {phase.Elapsed.TotalSeconds:0.0} s");
        Figure("connections 1,200 at a 500 limit", "admin API slowest of 10 calls while full", adminSlowest.TotalMilliseconds, "ms");
        Figure("connections 1,200 at a 500 limit", "descriptors before", descriptorsBefore, "fds");
        Figure("connections 1,200 at a 500 limit", "descriptors while full (open-file limit 1,024)", descriptorsFull, "fds");
        // The client connections are gone; YARP's pool may keep up to one idle backend connection per
        // request that ran at once (50 here) until its idle timeout.
        await WaitForDescriptorsAsync(node, descriptorsBefore + 50 + 30);
        output.WriteLine($"descriptors back: {phase.Elapsed.TotalSeconds:0.0} s");
    }

    [FaultFact("20,000 concurrent client connections, about 1-2 minutes", MinimumDescriptors = 10_000)]
    public async Task TwentyThousandConnections_AllHeldAndServed_AdminAnswers_MemoryWithinBound()
    {
        const int Wanted = 20_000;
        const int Extra = 500;
        const int Reserve = 1_000; // the runtime's own files, backend connections, the admin API: in each process

        // Both this process (the clients) and the node need a descriptor per connection. Where the
        // hard limit cannot be raised to hold them all, the test holds as many as fit and says so.
        var raised = ProcessReadings.TryRaiseDescriptorLimit(Wanted + Extra + Reserve);
        var limit = ProcessReadings.DescriptorLimit().Soft;
        var connections = raised is null ? Wanted : (int)Math.Min(Wanted, limit - Reserve);
        if (raised is not null)
        {
            output.WriteLine($"NOTE: {raised}: holding {connections} connections instead of {Wanted}");
        }

        await using var backend = await FaultBackend.StartAsync("backend");
        var port = FreePort.Next();
        var nofile = $"--nofile={limit.ToString(CultureInfo.InvariantCulture)}:{limit.ToString(CultureInfo.InvariantCulture)}";
        await using var node = await NodeProcess.StartAsync(Config(port, backend, connections), wrapper: ["prlimit", nofile]);
        var descriptorsBefore = node.OpenDescriptors();
        var memoryBefore = node.ResidentBytes();
        var sources = ClientSwarm.Sources(8);

        var opening = Stopwatch.StartNew();
        using var swarm = await ClientSwarm.OpenAsync(port, connections, parallel: 200, sources);
        var opened = opening.Elapsed;
        Assert.True(swarm.Failed == 0, $"{swarm.Failed} failed: {string.Join("; ", swarm.Errors.Take(5))}");
        Assert.Equal(connections, swarm.Served);
        await swarm.AddAsync(Extra, parallel: 50, sources);

        var adminSlowest = await AdminSlowestAsync(node, 20);
        var memoryFull = node.ResidentBytes();
        var descriptorsFull = node.OpenDescriptors();
        var reused = await swarm.ReuseAsync(1_000);
        var metrics = await node.MetricsAsync();

        Figure("connections 20,000", "connections held at once", connections, "connections");
        Figure("connections 20,000", "time to open and serve them (8 sources, 200 at a time)", opened.TotalSeconds, "s");
        Figure("connections 20,000", "resident memory before", memoryBefore / 1048576.0, "MiB");
        Figure("connections 20,000", "resident memory holding them", memoryFull / 1048576.0, "MiB");
        Figure("connections 20,000", "memory per held connection", (memoryFull - memoryBefore) / (double)connections / 1024, "KiB");
        Figure("connections 20,000", "descriptors holding them", descriptorsFull, "fds");
        Figure("connections 20,000", "admin API slowest of 20 calls while full", adminSlowest.TotalMilliseconds, "ms");
        Assert.Equal(connections, swarm.Served);
        Assert.Equal(Extra, swarm.Refused);
        Assert.Equal(connections, metrics.Value("appliance_listener_connections", ("listener", "web")));
        Assert.Equal(1_000, reused);
        Assert.True(adminSlowest < TimeSpan.FromSeconds(5), $"the admin API took {adminSlowest.TotalMilliseconds:0} ms");
        Assert.True(memoryFull < TwentyThousandBoundBytes, $"resident memory {memoryFull / 1048576} MiB is above the stated bound");

        swarm.Dispose();
        await WaitForOpenAsync(node, 0, timeoutSeconds: 120);
        await WaitForDescriptorsAsync(node, descriptorsBefore + 100);
        Figure("connections 20,000", "resident memory after they left", node.ResidentBytes() / 1048576.0, "MiB");
    }

    private static async Task<TimeSpan> AdminSlowestAsync(NodeProcess node, int calls)
    {
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.StartNew();
            using var response = await node.Admin.GetAsync(new Uri("api/v1/status", UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            slowest = started.Elapsed > slowest ? started.Elapsed : slowest;
        }

        return slowest;
    }

    private static async Task WaitForOpenAsync(NodeProcess node, int open, int timeoutSeconds = 30)
    {
        var deadline = Stopwatch.StartNew();
        double now;
        while ((now = (await node.MetricsAsync()).Value("appliance_listener_connections", ("listener", "web"))) != open)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(timeoutSeconds), $"{now} connections open, waiting for {open}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitForDescriptorsAsync(NodeProcess node, int atMost)
    {
        // Backend connections linger in YARP's pool for a while after the clients left.
        var deadline = Stopwatch.StartNew();
        int now;
        while ((now = node.OpenDescriptors()) > atMost)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(3), $"{now} descriptors still open, expected at most {atMost}");
            await Task.Delay(500);
        }
    }
}

/// <summary>Pressure tests count process-wide resources and load the machine: they run one at a time.</summary>
[CollectionDefinition(nameof(PressureCollection), DisableParallelization = true)]
public sealed class PressureCollection;

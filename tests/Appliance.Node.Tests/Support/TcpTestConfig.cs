using System.Text.Json.Nodes;

namespace Appliance.Tests.Support;

/// <summary>Configuration for the layer-4 tests: one TCP listener "front" on a free loopback port, forwarding to pool "pool".</summary>
internal static class TcpTestConfig
{
    public static JsonObject Create(int port, IEnumerable<TcpTestBackend> backends, string policy = "RoundRobin")
    {
        var entries = new JsonObject();
        foreach (var backend in backends)
        {
            entries[backend.Name] = new JsonObject { ["Address"] = backend.Address };
        }

        return new JsonObject
        {
            ["Node"] = new JsonObject { ["Name"] = "test" },
            // Test classes run in parallel: each node's admin listener needs a port of its own.
            ["Admin"] = new JsonObject { ["Address"] = $"127.0.0.1:{FreePort.Next()}" },
            ["Tcp"] = new JsonObject
            {
                ["Listeners"] = new JsonObject
                {
                    ["front"] = new JsonObject { ["Address"] = $"127.0.0.1:{port}", ["Pool"] = "pool" },
                },
                ["Pools"] = new JsonObject
                {
                    ["pool"] = new JsonObject { ["Policy"] = policy, ["Backends"] = entries },
                },
            },
        };
    }

    public static JsonObject TcpListener(this JsonObject config, string name = "front") =>
        config["Tcp"]!["Listeners"]![name]!.AsObject();

    public static JsonObject TcpPool(this JsonObject config, string name = "pool") =>
        config["Tcp"]!["Pools"]![name]!.AsObject();

    public static JsonObject TcpBackend(this JsonObject config, string name, string pool = "pool") =>
        config.TcpPool(pool)["Backends"]![name]!.AsObject();

    /// <summary>Adds a backend entry by address (e.g. a refusing port).</summary>
    public static JsonObject WithTcpBackend(this JsonObject config, string name, string address, string pool = "pool")
    {
        config.TcpPool(pool)["Backends"]![name] = new JsonObject { ["Address"] = address };
        return config;
    }
}

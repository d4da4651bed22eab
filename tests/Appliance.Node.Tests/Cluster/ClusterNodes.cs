using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cluster;

/// <summary>Real applianced processes on loopback forming a cluster, with their config files and logs.</summary>
internal sealed class ClusterNodes : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("applianced-cluster-").FullName;
    private readonly DaemonProcess?[] _processes;
    private readonly int[] _clusterPorts;
    private readonly int[] _httpPorts;
    private readonly int[] _adminPorts;

    public ClusterNodes(int count, string? key = null)
    {
        _processes = new DaemonProcess?[count];
        _clusterPorts = Enumerable.Range(0, count).Select(_ => FreePort.Next()).ToArray();
        _httpPorts = Enumerable.Range(0, count).Select(_ => FreePort.Next()).ToArray();
        _adminPorts = Enumerable.Range(0, count).Select(_ => FreePort.Next()).ToArray();
        KeyFile = WriteKey("cluster.key", key ?? NewKey());
    }

    public string KeyFile { get; }

    /// <summary>Adjusts each node's configuration before it is written (node index, config tree).</summary>
    public Action<int, JsonObject>? Customize { get; set; }

    public Uri HttpUrl(int index) => new($"http://127.0.0.1:{_httpPorts[index].ToString(CultureInfo.InvariantCulture)}/");

    public DaemonProcess this[int index] => _processes[index] ?? throw new InvalidOperationException($"node {index} not running");

    public static string NewKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public string WriteKey(string name, string base64)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, base64 + "\n");
        return path;
    }

    public static string Name(int index) => $"lb{index + 1}";

    public Uri AdminUrl(int index) => new($"http://127.0.0.1:{_adminPorts[index].ToString(CultureInfo.InvariantCulture)}/");

    public string ClusterAddress(int index) => $"127.0.0.1:{_clusterPorts[index].ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Where node <paramref name="index"/> keeps its session snapshot (in this cluster's temp directory).</summary>
    public string SnapshotFile(int index) => Path.Combine(_dir, $"{Name(index)}.snapshot");

    public string ConfigFor(int index, string? keyFile = null)
    {
        var config = new JsonObject
        {
            ["Node"] = new JsonObject { ["Name"] = Name(index) },
            ["Listeners"] = new JsonArray(new JsonObject { ["Name"] = "web", ["Address"] = $"127.0.0.1:{_httpPorts[index]}" }),
            ["Admin"] = new JsonObject { ["Address"] = $"127.0.0.1:{_adminPorts[index]}" },
            ["Cluster"] = new JsonObject
            {
                ["BindAddress"] = ClusterAddress(index),
                ["Seeds"] = new JsonArray([.. Enumerable.Range(0, _clusterPorts.Length).Select(i => (JsonNode)ClusterAddress(i))]),
                ["KeyFile"] = keyFile ?? KeyFile,
                ["SessionSnapshotFile"] = SnapshotFile(index), // each node its own, never the shared default
            },
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject { ["r"] = new JsonObject { ["ClusterId"] = "c", ["Match"] = new JsonObject { ["Path"] = "/{**x}" } } },
                ["Clusters"] = new JsonObject { ["c"] = new JsonObject { ["Destinations"] = new JsonObject { ["d"] = new JsonObject { ["Address"] = "http://127.0.0.1:9/" } } } },
            },
        };
        Customize?.Invoke(index, config);
        var path = Path.Combine(_dir, $"{Name(index)}.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    public DaemonProcess Start(int index, string? keyFile = null)
    {
        _processes[index]?.Dispose();
        var process = DaemonProcess.Start("run", "--config", ConfigFor(index, keyFile));
        _processes[index] = process;
        return process;
    }

    public void StartAll()
    {
        for (var i = 0; i < _processes.Length; i++)
        {
            Start(i);
        }
    }

    /// <summary>Waits until every running node has logged every other node as up.</summary>
    public async Task WaitAllUpAsync(int timeoutMs = 20_000)
    {
        for (var i = 0; i < _processes.Length; i++)
        {
            for (var j = 0; j < _processes.Length; j++)
            {
                if (i != j && _processes[i] is { } p && _processes[j] is not null)
                {
                    await p.WaitForOutputAsync($"member {Name(j)} ({ClusterAddress(j)}) is now up", timeoutMs);
                }
            }
        }
    }

    public void Kill(int index)
    {
        _processes[index]?.Dispose(); // SIGKILL
        _processes[index] = null;
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            p?.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }
}

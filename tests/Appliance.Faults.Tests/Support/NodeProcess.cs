using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.Tests.Support;

/// <summary>
/// A real <c>applianced run</c> process with its own directory (configuration file, keys, logs), a
/// client of its admin API from loopback (a local caller) and readings from /proc: resident memory
/// and open descriptors. Killed and its directory removed on dispose.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private NodeProcess(DaemonProcess process, string directory, string configPath, JsonObject config)
    {
        Process = process;
        Directory = directory;
        ConfigPath = configPath;
        Config = config;
        AdminUrl = new Uri($"http://{(string)config["Admin"]!["Address"]!}/");
        Admin = new HttpClient { BaseAddress = AdminUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public DaemonProcess Process { get; }

    /// <summary>The node's own temporary directory; deleted on dispose.</summary>
    public string Directory { get; }

    public string ConfigPath { get; }

    /// <summary>The configuration the node was started with.</summary>
    public JsonObject Config { get; }

    public Uri AdminUrl { get; }

    /// <summary>An admin API client from 127.0.0.1 (local: no token needed).</summary>
    public HttpClient Admin { get; }

    /// <summary>The port of the first HTTP listener.</summary>
    public int HttpPort => Port((string)Config["Listeners"]![0]!["Address"]!);

    public Uri HttpUrl => new($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}/");

    public string Output => Process.Output;

    /// <summary>
    /// Writes <paramref name="config"/> (an admin address on a free port is added when missing) and
    /// starts the daemon, optionally under a wrapper such as <c>prlimit</c>; returns once it serves.
    /// </summary>
    public static async Task<NodeProcess> StartAsync(JsonObject config, IReadOnlyList<string>? wrapper = null, Action<string>? prepare = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("appliance-faults-").FullName;
        config["Node"] ??= new JsonObject { ["Name"] = "faults" };
        config["Admin"] ??= new JsonObject { ["Address"] = $"127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}" };
        prepare?.Invoke(directory);
        var path = Path.Combine(directory, "appliance.json");
        await File.WriteAllTextAsync(path, config.ToJsonString());
        var process = DaemonProcess.StartUnder(wrapper ?? [], "run", "--config", path);
        var node = new NodeProcess(process, directory, path, config);
        try
        {
            await process.WaitForOutputAsync(" serving ", timeoutMs: 60_000);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    /// <summary>Writes a new configuration file (the node's watcher or <see cref="ReloadAsync"/> picks it up).</summary>
    public Task WriteConfigAsync(string text) => File.WriteAllTextAsync(ConfigPath, text);

    /// <summary>Asks the node to reload its file through the admin API; returns the status and the answer.</summary>
    public async Task<(int Status, JsonDocument Body)> ReloadAsync()
    {
        using var response = await Admin.PostAsync(new Uri("api/v1/config/reload", UriKind.Relative), null);
        return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()));
    }

    public async Task<PrometheusText.Scrape> MetricsAsync() =>
        PrometheusText.Parse(await Admin.GetStringAsync(new Uri("metrics", UriKind.Relative)));

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var document = await Admin.GetFromJsonAsync<JsonDocument>(new Uri(path.TrimStart('/'), UriKind.Relative));
        return document!.RootElement.Clone();
    }

    /// <summary>One backend of an HTTP cluster as <c>GET /api/v1/backends</c> shows it.</summary>
    public Task<JsonElement> BackendAsync(string cluster, string backend) => GetJsonAsync($"api/v1/backends/{cluster}/{backend}");

    /// <summary>Whether health checks let the backend take traffic now.</summary>
    public async Task<bool> IsAvailableAsync(string cluster, string backend) =>
        (await BackendAsync(cluster, backend)).GetProperty("health").GetProperty("available").GetBoolean();

    /// <summary>Resident memory of the daemon, in bytes (VmRSS).</summary>
    public long ResidentBytes() => ProcessReadings.ResidentBytes(Process.Id);

    /// <summary>File descriptors the daemon holds open.</summary>
    public int OpenDescriptors() => ProcessReadings.OpenDescriptors(Process.Id);

    private static int Port(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        Process.Dispose();
        await Task.Yield();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // left to the OS's temp cleanup
        }
    }
}

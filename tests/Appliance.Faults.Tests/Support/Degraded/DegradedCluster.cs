using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Node.Demo;
using Appliance.Tests.Support.Netns;

namespace Appliance.Tests.Support.Degraded;

/// <summary>
/// Three <c>applianced</c> processes (default cluster settings) in namespaces lb1..lb3 on one
/// bridge, two demo backends, a client namespace, and links between the balancers that can be
/// degraded on the cluster port. Each node's admin API is read from inside its namespace
/// (127.0.0.1:9900, a local caller). Everything is removed on dispose.
/// </summary>
internal sealed class DegradedCluster : IAsyncDisposable
{
    public const int ClusterPort = 7946;
    public const string CookieName = "sticky";
    private const int HttpPort = 8080;
    private readonly string _dir = Directory.CreateTempSubdirectory("applianced-degraded-").FullName;
    private readonly List<DemoBackend> _backends = [];
    private readonly List<DegradedLink> _links = [];
    private readonly DaemonProcess[] _daemons = new DaemonProcess[3];
    private readonly HttpClient[] _admins = new HttpClient[3];

    private DegradedCluster(NetnsTopology net)
    {
        Net = net;
        File.WriteAllText(Path.Combine(_dir, "cluster.key"), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) + "\n");
    }

    public NetnsTopology Net { get; }

    public IReadOnlyList<DegradedLink> Links => _links;

    public IReadOnlyList<DaemonProcess> Daemons => _daemons;

    /// <summary>The HTTP listener of balancer <paramref name="index"/>, as the client reaches it.</summary>
    public Uri HttpUrl(int index) => new($"http://{Net.Balancers[index].Address}:{HttpPort.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>Starts everything and waits until every node sees the two others Up.</summary>
    public static async Task<DegradedCluster> StartAsync()
    {
        var net = NetnsTopology.Create(balancers: 3, backends: 2);
        var cluster = new DegradedCluster(net);
        try
        {
            foreach (var b in net.Backends)
            {
                cluster._backends.Add(await b.StartBackendAsync(b.Name, 8081));
            }

            for (var i = 0; i < 3; i++)
            {
                var path = Path.Combine(cluster._dir, $"lb{i + 1}.json");
                await File.WriteAllTextAsync(path, cluster.Config(i).ToJsonString());
                cluster._daemons[i] = net.StartDaemon(net.Balancers[i], "run", "--config", path);
                cluster._admins[i] = net.Balancers[i].HttpClient(TimeSpan.FromSeconds(20));
                cluster._admins[i].BaseAddress = new Uri("http://127.0.0.1:9900/");
            }

            for (var i = 0; i < 3; i++)
            {
                for (var j = 0; j < 3; j++)
                {
                    if (i != j)
                    {
                        await cluster._daemons[i].WaitForOutputAsync($"member lb{j + 1} ({net.Balancers[j].Address}:{ClusterPort}) is now up", 60_000);
                    }
                }
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Degrades every balancer's arrivals on the cluster port: each node-to-node direction gets <paramref name="faults"/> once.</summary>
    public void Degrade(LinkFaults faults)
    {
        for (var i = 0; i < 3; i++)
        {
            _links.Add(DegradedLink.Apply(Net.Balancers[i], ClusterPort, faults, seed: 1000 + i));
        }
    }

    /// <summary>Node <paramref name="index"/>'s metrics.</summary>
    public async Task<PrometheusText.Scrape> MetricsAsync(int index) =>
        PrometheusText.Parse(await GetAsync(index, "metrics"));

    /// <summary>Node <paramref name="index"/>'s members as "name state" (state "unreachable" for an Up member someone cannot reach).</summary>
    public async Task<IReadOnlyList<string>> MembersAsync(int index)
    {
        using var members = JsonDocument.Parse(await GetAsync(index, "api/v1/cluster/members"));
        return [.. members.RootElement.GetProperty("members").EnumerateArray()
            .Select(m => $"{m.GetProperty("name").GetString()} {m.GetProperty("state").GetString()}").Order(StringComparer.Ordinal)];
    }

    /// <summary>How many live sessions node <paramref name="index"/> holds.</summary>
    public async Task<long> SessionCountAsync(int index)
    {
        using var replication = JsonDocument.Parse(await GetAsync(index, "api/v1/cluster/replication"));
        return replication.RootElement.GetProperty("sessions").GetInt64();
    }

    /// <summary>The backend node <paramref name="index"/> pins the session of <paramref name="cookie"/> to, or null when it does not know it.</summary>
    public async Task<string?> SessionBackendAsync(int index, string cookie)
    {
        using var response = await _admins[index].GetAsync(new Uri($"api/v1/sessions/http/web/{Uri.EscapeDataString(cookie)}", UriKind.Relative));
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var session = await response.Content.ReadFromJsonAsync<JsonElement>();
        return session.GetProperty("backend").GetString();
    }

    /// <summary>Requests to backends in flight now, cluster-wide, as node <paramref name="index"/> counts them (replicated connection counts).</summary>
    public async Task<long> ClusterInFlightAsync(int index)
    {
        using var backends = JsonDocument.Parse(await GetAsync(index, "api/v1/backends"));
        return backends.RootElement.GetProperty("clusters").EnumerateArray()
            .SelectMany(c => c.GetProperty("backends").EnumerateArray())
            .Sum(b => b.GetProperty("inFlight").GetProperty("cluster").GetInt64());
    }

    /// <summary>An admin API answer; anything but success throws with the answer and the node's latest output.</summary>
    private async Task<string> GetAsync(int index, string path)
    {
        using var response = await _admins[index].GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        var output = _daemons[index].Output;
        return response.IsSuccessStatusCode
            ? body
            : throw new HttpRequestException($"lb{index + 1} GET /{path} answered {(int)response.StatusCode}: {body}\n---- lb{index + 1}\n{(output.Length > 4000 ? output[^4000..] : output)}");
    }

    /// <summary>The balancers' output, for failure messages.</summary>
    public string Logs() => string.Join("\n", _daemons.Select((d, i) => d is null ? "" : $"---- lb{i + 1}\n{(d.Output.Length > 6000 ? d.Output[^6000..] : d.Output)}"));

    private JsonObject Config(int index)
    {
        var destinations = new JsonObject();
        foreach (var b in _backends)
        {
            destinations[b.Name] = new JsonObject { ["Address"] = b.Url.ToString() };
        }

        return new JsonObject
        {
            ["Node"] = new JsonObject { ["Name"] = $"lb{index + 1}" },
            ["Listeners"] = new JsonArray(new JsonObject { ["Name"] = "web", ["Address"] = $"*:{HttpPort}" }),
            ["Admin"] = new JsonObject { ["Address"] = "127.0.0.1:9900" },
            ["Cluster"] = new JsonObject
            {
                // Default timing: heartbeats, phi threshold, DownAfter as shipped.
                ["BindAddress"] = $"{Net.Balancers[index].Address}:{ClusterPort}",
                ["Seeds"] = new JsonArray([.. Net.Balancers.Select(b => (JsonNode)$"{b.Address}:{ClusterPort}")]),
                ["KeyFile"] = Path.Combine(_dir, "cluster.key"),
                ["SessionSnapshotFile"] = Path.Combine(_dir, $"lb{index + 1}.snapshot"), // never the shared default
            },
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject { ["all"] = new JsonObject { ["ClusterId"] = "web", ["Match"] = new JsonObject { ["Path"] = "/{**rest}" } } },
                ["Clusters"] = new JsonObject
                {
                    ["web"] = new JsonObject
                    {
                        ["Destinations"] = destinations,
                        ["SessionAffinity"] = new JsonObject { ["Enabled"] = true, ["Policy"] = "ApplianceCookie", ["AffinityKeyName"] = CookieName },
                    },
                },
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var link in _links)
        {
            link.Dispose();
        }

        foreach (var admin in _admins)
        {
            admin?.Dispose();
        }

        foreach (var d in _daemons)
        {
            d?.Dispose();
        }

        foreach (var b in _backends)
        {
            await b.DisposeAsync();
        }

        Net.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

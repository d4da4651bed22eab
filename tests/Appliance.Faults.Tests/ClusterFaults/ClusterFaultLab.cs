using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Appliance.Management.Contracts;
using Appliance.Tests.Support.Netns;
using Appliance.Tests.Vips;

namespace Appliance.Tests.ClusterFaults;

/// <summary>
/// Three balancers (real applianced processes, each in its own network namespace, priorities
/// 200/150/100, no preempt) in one cluster with one VIP, sticky sessions and two demo backends
/// (<see cref="VipLab"/>), and what the cluster fault tests read from them: each node's admin API
/// (status, members, VIPs, replication, in-flight counts) asked from inside its namespace, and
/// bounded waits until the cluster has settled, each failing with what it last saw and the logs.
/// </summary>
internal sealed class ClusterFaultLab : IAsyncDisposable
{
    public const int Nodes = 3;

    /// <summary>The bound of every wait for the cluster to settle (generous: a shared, loaded 2-core machine).</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    private ClusterFaultLab(VipLab vip) => Vip = vip;

    public static IReadOnlyList<int> All { get; } = [.. Enumerable.Range(0, Nodes)];

    public VipLab Vip { get; }

    public NetnsTopology Net => Vip.Net;

    public static string Name(int index) => VipLab.Name(index);

    /// <summary>Every node started, Up, ready, and one of them holding the VIP.</summary>
    public static async Task<ClusterFaultLab> StartAsync(Action<int, JsonObject>? customize = null)
    {
        var lab = new ClusterFaultLab(await VipLab.StartAsync([200, 150, 100], preempt: false, customize));
        try
        {
            foreach (var i in All)
            {
                await lab.WaitReadyAsync(i, synced: false);
            }

            await lab.WaitOneOwnerAsync(All);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Other nodes than <paramref name="index"/>.</summary>
    public static IReadOnlyList<int> Except(int index) => [.. All.Where(i => i != index)];

    /// <summary>GET on node <paramref name="index"/>'s admin API; null when it does not answer (yet) or answers an error.</summary>
    public async Task<T?> GetAsync<T>(int index, string path, JsonTypeInfo<T> type)
        where T : class
    {
        using var http = Net.Balancers[index].HttpClient(TimeSpan.FromSeconds(5));
        try
        {
            using var response = await http.GetAsync(new Uri(VipLab.AdminUrl, path.TrimStart('/')));
            return response.IsSuccessStatusCode ? JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), type) : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Polls <paramref name="notYet"/> every 50 ms until it returns null; fails with its last answer
    /// and the nodes' logs after <paramref name="timeout"/> (default <see cref="Settle"/>). Returns how long it took.
    /// </summary>
    public async Task<TimeSpan> WaitAsync(Func<Task<string?>> notYet, string what, TimeSpan? timeout = null)
    {
        var bound = timeout ?? Settle;
        var clock = Stopwatch.StartNew();
        while (await notYet() is { } why)
        {
            if (clock.Elapsed >= bound)
            {
                SaveLogs();
            }

            Assert.True(clock.Elapsed < bound, $"not within {bound.TotalSeconds:0} s: {what}; last seen: {why}\n{Vip.Logs()}");
            await Task.Delay(50);
        }

        return clock.Elapsed;
    }

    /// <summary>
    /// Until node <paramref name="index"/> reports ready; with <paramref name="synced"/>, also that
    /// its start-up sync pulled the state from a peer (not "alone", not "gave-up").
    /// </summary>
    public Task<TimeSpan> WaitReadyAsync(int index, bool synced) => WaitAsync(async () =>
    {
        var status = await GetAsync(index, AdminPaths.Status, AdminJson.Context.NodeStatus);
        if (status is null)
        {
            return "no answer from its admin API";
        }

        if (!status.Ready)
        {
            return "not ready: " + string.Join("; ", status.NotReadyReasons);
        }

        var replication = await GetAsync(index, AdminPaths.ClusterReplication, AdminJson.Context.ReplicationResponse);
        return replication is null ? "no replication reading" : synced && replication.Sync != "synced" ? $"start-up sync {replication.Sync}" : null;
    }, $"{Name(index)} ready");

    /// <summary>Until every node of <paramref name="live"/> sees exactly the nodes of <paramref name="live"/> Up (reachable).</summary>
    public Task<TimeSpan> WaitMembersUpAsync(IReadOnlyList<int> live) => WaitAsync(async () =>
    {
        foreach (var i in live)
        {
            var members = await GetAsync(i, AdminPaths.ClusterMembers, AdminJson.Context.MembersResponse);
            if (members is null)
            {
                return $"{Name(i)} does not answer";
            }

            var up = members.Members.Where(m => m.State == "up").Select(m => m.Name).Order(StringComparer.Ordinal).ToList();
            if (!up.SequenceEqual(live.Select(Name).Order(StringComparer.Ordinal)))
            {
                return $"{Name(i)} sees up: [{string.Join(", ", up)}]";
            }
        }

        return null;
    }, $"[{string.Join(", ", live.Select(Name))}] see each other up, and only each other");

    /// <summary>Until no node of <paramref name="observers"/> counts <paramref name="node"/> as a member any longer (it was downed, or removed).</summary>
    public Task<TimeSpan> WaitDownedAsync(IReadOnlyList<int> observers, int node) => WaitAsync(async () =>
    {
        foreach (var i in observers)
        {
            var members = await GetAsync(i, AdminPaths.ClusterMembers, AdminJson.Context.MembersResponse);
            if (members is null)
            {
                return $"{Name(i)} does not answer";
            }

            if (members.Members.FirstOrDefault(m => m.Name == Name(node) && m.State is not ("down" or "removed")) is { } member)
            {
                return $"{Name(i)} sees {Name(node)} {member.State}";
            }
        }

        return null;
    }, $"[{string.Join(", ", observers.Select(Name))}] down {Name(node)}");

    /// <summary>
    /// Until exactly one running node holds the VIP on its interface, every node of
    /// <paramref name="live"/> names it as the owner through its admin API, and it alone says
    /// master; then checks that this holds for another second (no flapping). Returns the owner.
    /// </summary>
    public async Task<(int Owner, TimeSpan Took)> WaitOneOwnerAsync(IReadOnlyList<int> live)
    {
        var owner = -1;
        var took = await WaitAsync(async () =>
        {
            var holders = Vip.Owners();
            if (holders.Count != 1)
            {
                return $"holders on eth0: [{string.Join(", ", holders.Select(Name))}]";
            }

            owner = holders[0];
            foreach (var i in live)
            {
                var vip = (await GetAsync(i, AdminPaths.Vips, AdminJson.Context.VipsResponse))?.Vips.SingleOrDefault();
                if (vip is null)
                {
                    return $"{Name(i)} gives no VIP reading";
                }

                if (vip.Owner != Name(owner) || (vip.State == "master") != (i == owner))
                {
                    return $"{Name(owner)} holds it; {Name(i)} says owner {vip.Owner ?? "none"}, itself {vip.State}";
                }
            }

            return null;
        }, "exactly one VIP owner, named by every node");

        for (var n = 0; n < 10; n++)
        {
            await Task.Delay(100);
            Assert.True(Vip.Owners() is [var o] && o == owner, $"the VIP left {Name(owner)} again: holders [{string.Join(", ", Vip.Owners().Select(Name))}]\n{Vip.Logs()}");
        }

        return (owner, took);
    }

    /// <summary>Moves the VIP to <paramref name="to"/> (asking its holder, as <c>appliancectl vip move --to</c> does) and waits until it holds it alone.</summary>
    public async Task MoveVipAsync(int to)
    {
        var (holder, _) = await WaitOneOwnerAsync(All);
        if (holder == to)
        {
            return;
        }

        using (var admin = Net.Balancers[holder].HttpClient(TimeSpan.FromSeconds(10)))
        {
            using var moved = await admin.PostAsJsonAsync(new Uri(VipLab.AdminUrl, $"api/v1/vips/{VipLab.Vip}/move"), new VipMoveRequest(Name(to)), AdminJson.Context.VipMoveRequest);
            Assert.True(moved.StatusCode == HttpStatusCode.Accepted, $"vip move to {Name(to)}: {(int)moved.StatusCode} {await moved.Content.ReadAsStringAsync()}");
        }

        await Vip.WaitOwnerAsync(to, Settle);
    }

    /// <summary>
    /// Until, on every node of <paramref name="live"/>, each backend's cluster-wide in-flight count
    /// equals the sum of the live nodes' own (local) counts, and those sum to <paramref name="total"/>:
    /// a dead node's gauges are gone everywhere, a live node's are counted everywhere.
    /// </summary>
    public Task<TimeSpan> WaitCountsConvergeAsync(IReadOnlyList<int> live, long total) => WaitAsync(async () =>
    {
        var readings = new List<Dictionary<string, InFlightInfo>>();
        foreach (var i in live)
        {
            var backends = await GetAsync(i, AdminPaths.Backends + "?cluster=web", AdminJson.Context.BackendsResponse);
            if (backends is null)
            {
                return $"{Name(i)} does not answer";
            }

            readings.Add(backends.Clusters.Single().Backends.ToDictionary(b => b.Id, b => b.InFlight));
        }

        var locals = readings[0].Keys.ToDictionary(b => b, b => readings.Sum(r => r[b].Local));
        if (locals.Values.Sum() != total)
        {
            return $"the live nodes' own in-flight counts sum to {locals.Values.Sum()}, not {total}";
        }

        for (var k = 0; k < live.Count; k++)
        {
            foreach (var (backend, local) in locals)
            {
                if (readings[k][backend].Cluster != local)
                {
                    return $"{Name(live[k])} counts {readings[k][backend].Cluster} in flight on {backend} cluster-wide; the live nodes' own counts sum to {local}";
                }
            }
        }

        return null;
    }, $"in-flight counts converge over [{string.Join(", ", live.Select(Name))}] ({total} held)");

    /// <summary>Until every node of <paramref name="live"/> holds the same number of live sessions, at least <paramref name="atLeast"/>; returns it.</summary>
    public async Task<(long Sessions, TimeSpan Took)> WaitSessionsConvergeAsync(IReadOnlyList<int> live, int atLeast)
    {
        long sessions = 0;
        var took = await WaitAsync(async () =>
        {
            var counts = new List<long>();
            foreach (var i in live)
            {
                var replication = await GetAsync(i, AdminPaths.ClusterReplication, AdminJson.Context.ReplicationResponse);
                if (replication is null)
                {
                    return $"{Name(i)} does not answer";
                }

                counts.Add(replication.Sessions);
            }

            sessions = counts[0];
            return counts.Distinct().Count() == 1 && sessions >= atLeast ? null : $"sessions per node [{string.Join(", ", counts)}], at least {atLeast} expected";
        }, "the session tables converge");
        return (sessions, took);
    }

    /// <summary>
    /// With <c>APPLIANCE_FAULT_LOGS=DIR</c>, writes each running balancer's whole output to
    /// DIR/lbN.log (failure messages carry only the last 4,000 characters of each).
    /// </summary>
    public void SaveLogs()
    {
        if (Environment.GetEnvironmentVariable("APPLIANCE_FAULT_LOGS") is not { Length: > 0 } dir)
        {
            return;
        }

        Directory.CreateDirectory(dir);
        foreach (var i in All)
        {
            try
            {
                File.WriteAllText(Path.Combine(dir, Name(i) + ".log"), Vip[i].Output);
            }
            catch (InvalidOperationException)
            {
                // not running (killed just now): nothing to save
            }
        }
    }

    /// <summary>Every balancer process runs, and none has logged an unhandled exception.</summary>
    public void AssertAlive()
    {
        foreach (var i in All)
        {
            Assert.False(Vip[i].HasExited, $"{Name(i)} exited\n{Vip.Logs()}");
            Assert.DoesNotContain("Unhandled exception", Vip[i].Output, StringComparison.Ordinal);
        }
    }

    /// <summary>Successful answers from another backend than the one the client's cookie was pinned to.</summary>
    public static IReadOnlyList<RequestSample> StickyViolations(IEnumerable<RequestSample> samples, IReadOnlyDictionary<string, string> pinned) =>
        [.. samples.Where(s => s.Ok && s.Cookie is not null && pinned.TryGetValue(s.Cookie, out var backend) && s.Backend != backend)];

    /// <summary>Fails listing the first violations (cookie, backend that answered, backend it was pinned to).</summary>
    public static void AssertNoStickyViolations(IReadOnlyList<RequestSample> violations, IReadOnlyDictionary<string, string> pinned) =>
        Assert.True(violations.Count == 0, $"{violations.Count} answers from another backend than the client's: {string.Join(" | ", violations.Take(5).Select(v => $"{v.Cookie} -> {v.Backend}, pinned to {pinned[v.Cookie!]}"))}");

    /// <summary><see cref="HeldRequests"/> to every node's own address.</summary>
    public HeldRequests Hold(int perNode) => new(Net.Client, All.Select(Vip.NodeUrl), perNode);

    /// <summary>The failed samples, for messages.</summary>
    public static string Errors(IEnumerable<RequestSample> samples) =>
        string.Join(" | ", samples.Where(s => !s.Ok).Take(10).Select(s => $"{s.At.TotalMilliseconds:0} ms {s.Error} ({s.Tries} tries)"));

    /// <summary>The median (the mean of the middle two for an even count; 0 for none).</summary>
    public static double Median(IReadOnlyCollection<double> values) =>
        values.Count == 0 ? 0 : values.Order().Skip((values.Count - 1) / 2).Take(2 - (values.Count % 2)).Average();

    public ValueTask DisposeAsync() => Vip.DisposeAsync();
}

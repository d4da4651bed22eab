using System.Globalization;
using System.Text.RegularExpressions;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cluster;

/// <summary>Three real applianced processes on loopback: join, crash detection, rejoin, leave, wrong key.</summary>
public sealed partial class ClusterProcessTests
{
    [GeneratedRegex(@"^(?<time>\S+Z) .*member (?<name>\S+) \(.*\) is unreachable", RegexOptions.Multiline)]
    private static partial Regex UnreachableLine();

    private static DateTime UnreachableLoggedAt(DaemonProcess observer, string name) =>
        UnreachableLine().Matches(observer.Output).Where(m => m.Groups["name"].Value == name)
            .Select(m => DateTime.Parse(m.Groups["time"].Value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal))
            .Last();

    [Fact]
    public async Task ThreeNodes_Kill9One_OthersMarkItUnreachableWithinOneSecond_ThenDown_AndItRejoins()
    {
        using var nodes = new ClusterNodes(3);
        nodes.StartAll();
        await nodes.WaitAllUpAsync();

        var killedAt = DateTime.UtcNow;
        nodes.Kill(2);

        foreach (var survivor in new[] { nodes[0], nodes[1] })
        {
            await survivor.WaitForOutputAsync("member lb3 (" + nodes.ClusterAddress(2) + ") is unreachable", 5_000);
            var detection = UnreachableLoggedAt(survivor, "lb3") - killedAt;
            Assert.True(detection < TimeSpan.FromSeconds(1), $"detected after {detection.TotalMilliseconds:F0} ms");
            await survivor.WaitForOutputAsync("member lb3 (" + nodes.ClusterAddress(2) + ") is now down", 5_000);
            await survivor.WaitForOutputAsync("member lb3 (" + nodes.ClusterAddress(2) + ") was removed", 5_000);
        }

        // Restarted: a new incarnation joins and is up everywhere again.
        var restarted = nodes.Start(2);
        await restarted.WaitForOutputAsync("this node joined", 15_000);
        await nodes[0].WaitForOutputAsync("member lb3 (" + nodes.ClusterAddress(2) + ") is now up", 15_000, occurrences: 2);
        await nodes[1].WaitForOutputAsync("member lb3 (" + nodes.ClusterAddress(2) + ") is now up", 15_000, occurrences: 2);
    }

    [Fact]
    public async Task AdminApi_ListsMembers_AndNodeLeaveRemovesTheNode()
    {
        using var nodes = new ClusterNodes(3);
        nodes.StartAll();
        await nodes.WaitAllUpAsync();
        using var admin = new HttpClient { BaseAddress = nodes.AdminUrl(0) };

        // Right after a join the view may still be settling (a suspicion during start-up pauses): poll.
        System.Text.Json.JsonDocument members;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            members = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync(new Uri("api/v1/cluster/members", UriKind.Relative)));
            var states = members.RootElement.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("state").GetString()).ToList();
            if ((states.Count == 3 && states.All(s => s == "up")) || DateTime.UtcNow > deadline)
            {
                break;
            }

            members.Dispose();
            await Task.Delay(200);
        }

        using var _ = members;
        var list = members.RootElement.GetProperty("members").EnumerateArray().ToList();
        Assert.True(members.RootElement.GetProperty("configured").GetBoolean());
        Assert.Equal(["lb1", "lb2", "lb3"], list.Select(m => m.GetProperty("name").GetString()).Order());
        Assert.All(list, m => Assert.Equal("up", m.GetProperty("state").GetString()));
        Assert.Single(list, m => m.GetProperty("self").GetBoolean());

        var metrics = await admin.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Contains("appliance_cluster_members{state=\"up\"} 3", metrics, StringComparison.Ordinal);

        using var leave = await new HttpClient { BaseAddress = nodes.AdminUrl(2) }.PostAsync(new Uri("api/v1/node/leave", UriKind.Relative), null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, leave.StatusCode);
        await nodes[0].WaitForOutputAsync("member lb3 (" + nodes.ClusterAddress(2) + ") was removed", 10_000);
        Assert.DoesNotContain("member lb3 (" + nodes.ClusterAddress(2) + ") is now down", nodes[0].Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GracefulStop_OthersRemoveTheNodeWithoutDowningIt()
    {
        using var nodes = new ClusterNodes(3);
        nodes.StartAll();
        await nodes.WaitAllUpAsync();

        nodes[1].Signal("TERM");
        Assert.Equal(0, await nodes[1].WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("this node left the cluster", nodes[1].Output, StringComparison.Ordinal);

        await nodes[0].WaitForOutputAsync("member lb2 (" + nodes.ClusterAddress(1) + ") was removed", 5_000);
        Assert.DoesNotContain("member lb2 (" + nodes.ClusterAddress(1) + ") is now down", nodes[0].Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongClusterKey_NodeIsRefusedAndLogged_ClusterUnaffected()
    {
        using var nodes = new ClusterNodes(3);
        nodes.Start(0);
        nodes.Start(1);
        await nodes[0].WaitForOutputAsync("member lb2 (" + nodes.ClusterAddress(1) + ") is now up", 20_000);

        var intruder = nodes.Start(2, nodes.WriteKey("wrong.key", ClusterNodes.NewKey()));
        await nodes[0].WaitForOutputAsync("refused a TLS handshake", 15_000);
        Assert.Contains("not from this cluster's key", nodes[0].Output, StringComparison.Ordinal);
        await Task.Delay(2_000);

        Assert.DoesNotContain("member lb3", nodes[0].Output, StringComparison.Ordinal);
        Assert.DoesNotContain("member lb3", nodes[1].Output, StringComparison.Ordinal);
        Assert.DoesNotContain("is now up", intruder.Output.Replace("member lb3", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllText(nodes.KeyFile).Trim(), nodes[0].Output, StringComparison.Ordinal); // the key never reaches a log
    }

    [Fact]
    public async Task MissingKeyFile_RefusedAtStartWithThePath()
    {
        using var nodes = new ClusterNodes(1);
        var path = nodes.ConfigFor(0, keyFile: "/nonexistent/cluster.key");

        var (code, output) = await DaemonProcess.RunAsync("run", "--config", path);

        Assert.Equal(2, code);
        Assert.Contains("$.Cluster.KeyFile", output, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/cluster.key", output, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using Appliance.Management.Contracts;
using Appliance.Tests.Support;

namespace Appliance.Tests.Cli;

/// <summary>The real appliancectl binary against a running node: tables, --json, exit codes, messages.</summary>
public sealed class CliTests(AdminNodeFixture fixture) : IClassFixture<AdminNodeFixture>
{
    private AdminNode Node => fixture.Node;

    private string NodeUrl => Node.AdminUrl.ToString().TrimEnd('/');

    private Task<CliProcess.Result> RunAsync(params string[] args) => CliProcess.RunAsync(["--node", NodeUrl, .. args]);

    private static T Json<T>(CliProcess.Result result, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(result.Stdout, type) ?? throw new InvalidOperationException(result.ToString());

    [Fact]
    public async Task Status_TableAndJson()
    {
        var table = await RunAsync("status");
        var json = await RunAsync("status", "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"Node\s+test", table.Stdout);
        Assert.Matches(@"State\s+ready", table.Stdout);
        Assert.Matches(@"Config\s+revision 1", table.Stdout);
        Assert.DoesNotContain("\u001b[", table.Stdout, StringComparison.Ordinal); // no colour codes when piped
        Assert.Equal(0, json.ExitCode);
        Assert.Equal("test", Json(json, AdminJson.Context.NodeStatus).Name);
    }

    [Fact]
    public async Task ClusterMembersAndVipList_SayNotConfigured_JsonHasEmptyLists()
    {
        var members = await RunAsync("cluster", "members");
        var vips = await RunAsync("vip", "list");
        var membersJson = await RunAsync("cluster", "members", "--json");
        var vipsJson = await RunAsync("vip", "list", "--json");

        Assert.Equal(0, members.ExitCode);
        Assert.Contains("cluster not configured", members.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, vips.ExitCode);
        Assert.Contains("VIPs not configured", vips.Stdout, StringComparison.Ordinal);
        Assert.Empty(Json(membersJson, AdminJson.Context.MembersResponse).Members);
        Assert.Empty(Json(vipsJson, AdminJson.Context.VipsResponse).Vips);
    }

    [Fact]
    public async Task VipMove_IsRefusedWithExit1AndSaysWhy()
    {
        var result = await RunAsync("vip", "move", "198.18.0.10", "--to", "lb2");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("VIPs not configured", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backends_TableJsonAndClusterFilter()
    {
        var table = await RunAsync("backends");
        var json = await RunAsync("backends", "--json", "--cluster", "web");
        var unknown = await RunAsync("backends", "--cluster", "nope");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("cluster web: RoundRobin", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("cluster sticky: RoundRobin", table.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"backend-1\s+.\s+http://127\.0\.0\.1:\d+/\s+.\s+unknown\s+.\s+unknown\s+.\s+ready", table.Stdout);
        var parsed = Json(json, AdminJson.Context.BackendsResponse);
        Assert.Equal("web", Assert.Single(parsed.Clusters).Id);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no cluster 'nope'", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackendActions_DrainMaintReadyWeight_ChangeTheNode()
    {
        var drain = await RunAsync("backend", "drain", "sticky/backend-1");
        var maint = await RunAsync("backend", "maint", "sticky/backend-1", "--json");
        var weight = await RunAsync("backend", "weight", "sticky/backend-1", "9");
        var ready = await RunAsync("backend", "ready", "sticky/backend-1");
        await RunAsync("backend", "weight", "sticky/backend-1", "1");

        Assert.True(drain.ExitCode == 0, drain.ToString());
        Assert.Contains("sticky/backend-1: draining", drain.Stdout, StringComparison.Ordinal);
        Assert.Contains("applied on this node only", drain.Stdout, StringComparison.Ordinal);
        Assert.Equal("maint", Json(maint, AdminJson.Context.BackendActionResult).Backend.AdminState);
        Assert.Contains("9 (file 1)", weight.Stdout, StringComparison.Ordinal);
        Assert.Contains("ready: takes new and sticky traffic", ready.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TcpBackends_ListDrainReady_InThePoolsOwnIdSpace()
    {
        var table = await RunAsync("tcp", "backends");
        var json = await RunAsync("tcp", "backends", "--json", "--pool", "db");
        var drain = await RunAsync("tcp", "backend", "drain", "db/backend-3");
        var http = await RunAsync("backends", "--json", "--cluster", "web");
        var ready = await RunAsync("tcp", "backend", "ready", "db/backend-3");
        var unknown = await RunAsync("tcp", "backend", "drain", "web/backend-1");
        var noSlash = await RunAsync("tcp", "backend", "maint", "db");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("pool db: RoundRobin", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Connections", table.Stdout, StringComparison.Ordinal);
        Assert.Equal(["backend-1", "backend-2", "backend-3"], Assert.Single(Json(json, AdminJson.Context.BackendsResponse).Clusters).Backends.Select(b => b.Id));
        Assert.True(drain.ExitCode == 0, drain.ToString());
        Assert.Contains("db/backend-3: draining", drain.Stdout, StringComparison.Ordinal);
        Assert.All(Json(http, AdminJson.Context.BackendsResponse).Clusters.Single().Backends, b => Assert.Equal("ready", b.AdminState));
        Assert.Contains("ready: takes new and sticky traffic", ready.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no pool 'web'", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, noSlash.ExitCode);
        Assert.Contains("is not POOL/BACKEND", noSlash.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackendActions_UnknownBackendIs1_BadArgumentsAre2()
    {
        var unknown = await RunAsync("backend", "drain", "web/nope");
        var noSlash = await RunAsync("backend", "drain", "web");
        var badWeight = await RunAsync("backend", "weight", "web/backend-1", "900");
        var notNumber = await RunAsync("backend", "weight", "web/backend-1", "heavy");
        var noCommand = await RunAsync("frobnicate");

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("cluster 'web' has no backend 'nope'", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, noSlash.ExitCode);
        Assert.Contains("is not CLUSTER/BACKEND", noSlash.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, badWeight.ExitCode);
        Assert.Contains("from 0 (no new traffic) to 256", badWeight.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, notNumber.ExitCode);
        Assert.Equal(2, noCommand.ExitCode);
        Assert.Contains("--help", noCommand.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionsGet_FindsALiveSession_UnknownIs1()
    {
        using var data = Node.Data();
        using var first = await data.GetAsync(new Uri("/sticky/", UriKind.Relative));
        var backend = first.Headers.GetValues("X-Backend").Single();
        var cookie = first.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sticky=", StringComparison.Ordinal));
        var key = "http/sticky/" + cookie["sticky=".Length..cookie.IndexOf(';', StringComparison.Ordinal)];

        var found = await RunAsync("sessions", "get", key);
        var json = await RunAsync("sessions", "get", key, "--json");
        var missing = await RunAsync("sessions", "get", "http/sticky/nope");

        Assert.True(found.ExitCode == 0, found.ToString());
        Assert.Matches($@"Backend\s+{backend}", found.Stdout);
        Assert.Equal(backend, Json(json, AdminJson.Context.SessionInfo).Backend);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no live session", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_GoodIs0_BadIs1WithPaths_MissingFileIs2()
    {
        var good = Path.Combine(Node.Directory, "good.json");
        var bad = Path.Combine(Node.Directory, "bad.json");
        await File.WriteAllTextAsync(good, Node.Config.ToJsonString());
        await File.WriteAllTextAsync(bad, """{ "Listeners": [ { "Name": "web", "Address": "nowhere" } ], "Admin": { "TokenFile": "/nonexistent/token" } }""");

        var valid = await RunAsync("config", "validate", good);
        var invalid = await RunAsync("config", "validate", bad);
        var invalidJson = await RunAsync("config", "validate", bad, "--json");
        var missing = await RunAsync("config", "validate", Path.Combine(Node.Directory, "absent.json"));

        Assert.True(valid.ExitCode == 0, valid.ToString());
        Assert.Contains("valid: 3 route(s)", valid.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("$.Listeners[0].Address", invalid.Stdout, StringComparison.Ordinal);
        Assert.Contains("$.Admin.TokenFile", invalid.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, invalidJson.ExitCode);
        Assert.False(Json(invalidJson, AdminJson.Context.ValidationResult).Valid);
        Assert.Equal(2, missing.ExitCode);
    }

    [Fact]
    public async Task ConfigReload_OnANodeWithoutFile_IsRefusedWithExit1()
    {
        var result = await RunAsync("config", "reload");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("started without a configuration file", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_FromFile_IsSent_WrongTokenIsRefused()
    {
        var wrong = Path.Combine(Node.Directory, "wrong.token");
        await File.WriteAllTextAsync(wrong, "wrong-token\n");

        var right = await RunAsync("--token-file", Node.TokenPath, "status");
        var refused = await RunAsync("--token-file", wrong, "status");
        var unreadable = await RunAsync("--token-file", Path.Combine(Node.Directory, "none.token"), "status");

        Assert.True(right.ExitCode == 0, right.ToString());
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--token-file", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-token", refused.Stderr + refused.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, unreadable.ExitCode);
    }

    [Fact]
    public async Task NodeDown_Exit3_SaysWhatToDo()
    {
        using var closed = new HttpTestHelpers.RefusingPort();

        var result = await CliProcess.RunAsync("--node", $"http://127.0.0.1:{closed.Port}", "status");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"cannot reach the admin API at http://127.0.0.1:{closed.Port}: connection refused", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Is applianced running there?", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Help_DescribesEveryCommand_AndExitCodes()
    {
        var help = await CliProcess.RunAsync("--help");
        var backendHelp = await CliProcess.RunAsync("backend", "--help");

        Assert.Equal(0, help.ExitCode);
        foreach (var command in new[] { "status", "cluster", "vip", "backends", "backend", "sessions", "config", "completion" })
        {
            Assert.Contains("  " + command, help.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("3 node unreachable", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("drain <cluster/backend>", backendHelp.Stdout, StringComparison.Ordinal);
        Assert.Contains("weight <cluster/backend> <weight>", backendHelp.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_BashScript_AndSuggestionsIncludeCommandsAndBackends()
    {
        var script = await CliProcess.RunAsync("completion", "bash");
        var commands = await CliProcess.RunAsync("[suggest:14]", "appliancectl b");
        var line = $"appliancectl --node {NodeUrl} backend drain w";

        // Completion gives the admin API one second and then suggests nothing rather than make the
        // shell wait; a cold CLI process on a loaded machine can miss that, so a few tries.
        var backends = await CliProcess.RunAsync($"[suggest:{line.Length}]", line);
        for (var attempt = 1; attempt < 4 && backends.Stdout.Trim().Length == 0; attempt++)
        {
            backends = await CliProcess.RunAsync($"[suggest:{line.Length}]", line);
        }

        Assert.Equal(0, script.ExitCode);
        Assert.Contains("complete -o default -F _appliancectl_complete appliancectl", script.Stdout, StringComparison.Ordinal);
        Assert.Equal(["backend", "backends"], commands.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["web/backend-1", "web/backend-2", "web/backend-3"], backends.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}

using System.Text.Json.Nodes;
using Appliance.Management.Contracts;
using Appliance.Tests.Support;

namespace Appliance.Tests.Api;

/// <summary>Reload through the API: the node's own file, the SIGHUP path, the outcome returned and counted.</summary>
public sealed class ReloadTests
{
    [Fact]
    public async Task Reload_AppliesTheFile_ThenRefusesABadOne_KeepingTheLastGood()
    {
        await using var node = await AdminNode.StartAsync(withFile: true);
        using var admin = node.Local();
        var path = node.ConfigPath!;

        // A good change: backend-3 gets weight 7 in the file.
        var changed = JsonNode.Parse(node.Config.ToJsonString())!.AsObject().WithMetadata("backend-3", "Weight", "7");
        await File.WriteAllTextAsync(path, changed.ToJsonString());
        var applied = await ApiAssert.OkAsync(await admin.PostAsync(AdminPaths.ConfigReload, null), AdminJson.Context.ReloadResult);
        var backend = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Backend("web", "backend-3")), AdminJson.Context.BackendInfo);

        Assert.True(applied.Applied);
        Assert.True(applied.Revision >= 2, $"revision {applied.Revision}");
        Assert.Equal(path, applied.Path);
        Assert.Equal(7, backend.ConfiguredWeight);

        // A bad file: refused with every problem, revision unchanged, traffic unaffected.
        await File.WriteAllTextAsync(path, """{ "ReverseProxy": { "Clusters": { "c": { "Destinations": { } } } }, "Listeners": 5 }""");
        var refused = await ApiAssert.ProblemAsync(await admin.PostAsync(AdminPaths.ConfigReload, null), 422);
        var status = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Status), AdminJson.Context.NodeStatus);
        var metrics = PrometheusText.Parse(await admin.GetStringAsync(AdminPaths.Metrics));

        Assert.Contains("last good configuration", refused.Detail, StringComparison.Ordinal);
        Assert.Contains(refused.Errors!, e => e.Path == "$.Listeners");
        Assert.Equal(applied.Revision, status.Config.Revision);
        Assert.False(status.Config.LastReload!.Applied);
        Assert.Equal(path, status.Config.Path);
        Assert.True(metrics.Value("appliance_config_reload_failures_total") >= 1);
        Assert.True(metrics.Value("appliance_config_reloads_total") >= 2);
        Assert.Equal(applied.Revision, metrics.Value("appliance_config_revision"));
        Assert.Equal(3, (await node.TrafficAsync(3)).Values.Sum());
    }
}

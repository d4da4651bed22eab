using System.Text.Json.Nodes;
using Appliance.Cluster.Hosting;
using Appliance.Core.Configuration;
using Appliance.Core.Membership;
using Appliance.Core.Security;
using Appliance.Core.State;
using Appliance.Node.Hosting;
using Appliance.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Tests.Cluster;

/// <summary>
/// What the composition root picks (built, never started): with a <c>Cluster</c> section the
/// replicated stores must win over the proxy's single-node ones, and their actors must reach the
/// cluster host as participants; the flip once left them out and sessions stayed on one node.
/// </summary>
public sealed class ClusterCompositionTests
{
    private const string ReplicationAssembly = "Appliance.Replication";

    [Fact]
    public async Task ClusterSection_ReplicatedStoresAndParticipants_AreComposed()
    {
        var config = Config(withCluster: true);
        await using var app = await NodeHost.BuildAsync(config, null, LogLevel.Warning, ClusterKey.Generate());
        var services = app.Services;

        Assert.Equal(ReplicationAssembly, services.GetRequiredService<ISessionStore>().GetType().Assembly.GetName().Name);
        Assert.Equal(ReplicationAssembly, services.GetRequiredService<IConnectionCounts>().GetType().Assembly.GetName().Name);
        Assert.Equal(ReplicationAssembly, services.GetRequiredService<IStateSyncStatus>().GetType().Assembly.GetName().Name);
        Assert.Equal(2, services.GetServices<IClusterParticipant>().Count()); // sessions and gauges
        Assert.NotNull(services.GetService<Appliance.Replication.Hosting.ReplicationInfo>());
        Assert.NotNull(services.GetService<ClusterHost>());
    }

    [Fact]
    public async Task NoClusterSection_SingleNodeStores_NoReplication()
    {
        var config = Config(withCluster: false);
        await using var app = await NodeHost.BuildAsync(config, null, LogLevel.Warning);
        var services = app.Services;

        Assert.NotEqual(ReplicationAssembly, services.GetRequiredService<ISessionStore>().GetType().Assembly.GetName().Name);
        Assert.Empty(services.GetServices<IClusterParticipant>());
        Assert.Null(services.GetService<IStateSyncStatus>());
        Assert.Null(services.GetService<Appliance.Replication.Hosting.ReplicationInfo>());
    }

    private static ApplianceConfig Config(bool withCluster)
    {
        // One destination that is never dialled: the host is built, not started.
        JsonObject json = TestConfig.Create(FreePort.Next(), []);
        json.Cluster()["Destinations"]!["b1"] = new JsonObject { ["Address"] = "http://127.0.0.1:9/" };
        if (withCluster)
        {
            // Validation reads the key file; the key passed to BuildAsync is the one composed.
            var keyFile = Path.Combine(Directory.CreateTempSubdirectory("composition-").FullName, "cluster.key");
            File.WriteAllText(keyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            var address = $"127.0.0.1:{FreePort.Next()}";
            json["Cluster"] = new JsonObject
            {
                ["BindAddress"] = address,
                ["Seeds"] = new JsonArray(address),
                ["KeyFile"] = keyFile,
            };
        }

        var loaded = ConfigLoader.Parse(json.ToJsonString());
        Assert.True(loaded.Succeeded, string.Join("; ", loaded.Errors));
        return loaded.Config!;
    }
}

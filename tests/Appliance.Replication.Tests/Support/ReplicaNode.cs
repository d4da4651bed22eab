using Akka.Actor;
using Akka.Configuration;
using Appliance.Cluster.Hosting;
using Appliance.Core.Configuration;
using Appliance.Core.Membership;
using Appliance.Core.State;
using Appliance.Replication.Gauges;
using Appliance.Replication.Hosting;
using Appliance.Replication.Sessions;
using Appliance.Replication.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Replication.Tests.Support;

/// <summary>
/// One balancer node in a test: the services <see cref="ReplicationServiceCollectionExtensions.AddReplication"/>
/// registers, and an Akka.Cluster ActorSystem on loopback (plain TCP, a random port) on which the
/// participants are started before it joins, as the cluster host does. <see cref="RestartAsync"/>
/// gives it a new incarnation (a fresh system) while the node's state lives on.
/// </summary>
internal sealed class ReplicaNode : IAsyncDisposable
{
    public const string SystemName = "appliance";

    private readonly ServiceProvider _services;
    private readonly IReadOnlyList<IClusterParticipant> _participants;

    private ReplicaNode(string name, Action<IServiceCollection>? configure)
    {
        Name = name;
        var services = new ServiceCollection();
        services.AddReplication(new NodeClusterOptions(), name);
        configure?.Invoke(services);
        _services = services.BuildServiceProvider();
        _participants = [.. _services.GetServices<IClusterParticipant>()];
    }

    public string Name { get; }

    public ActorSystem System { get; private set; } = null!;

    public Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(System);

    public Address Address => Cluster.SelfAddress;

    public ISessionStore Sessions => _services.GetRequiredService<ISessionStore>();

    internal ReplicatedSessionStore Store => _services.GetRequiredService<ReplicatedSessionStore>();

    public IConnectionCounts Counts => _services.GetRequiredService<IConnectionCounts>();

    public IStateSyncStatus SyncStatus => _services.GetRequiredService<IStateSyncStatus>();

    public ReplicationInfo Info => _services.GetRequiredService<ReplicationInfo>();

    internal ReplicationStats Stats => _services.GetRequiredService<ReplicationStats>();

    /// <summary>Starts a node and joins it to <paramref name="seed"/> (null: it forms the cluster).</summary>
    public static ReplicaNode Start(string name, Address? seed, Action<IServiceCollection>? configure = null)
    {
        var node = new ReplicaNode(name, configure);
        node.StartSystem(seed);
        return node;
    }

    /// <summary>A new incarnation: participants stopped, the system ended, a new one started and joined to <paramref name="seed"/>.</summary>
    public async Task RestartAsync(Address seed)
    {
        await StopSystemAsync();
        StartSystem(seed);
    }

    /// <summary>Leaves the cluster gracefully and waits until this system sees itself removed.</summary>
    public async Task LeaveAsync()
    {
        var removed = new TaskCompletionSource();
        Cluster.RegisterOnMemberRemoved(() => removed.TrySetResult());
        Cluster.Leave(Address);
        await removed.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        await StopSystemAsync();
        await _services.DisposeAsync();
    }

    private void StartSystem(Address? seed)
    {
        var config = ConfigurationFactory.ParseString("""
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
              actor.provider = cluster
              remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
              cluster {
                min-nr-of-members = 1
                gossip-interval = 200ms
                leader-actions-interval = 200ms
                failure-detector { heartbeat-interval = 200ms, acceptable-heartbeat-pause = 3s }
                run-coordinated-shutdown-when-down = off
              }
              coordinated-shutdown { run-by-clr-shutdown-hook = off, exit-clr = off }
            }
            """);
        foreach (var participant in _participants)
        {
            config = config.WithFallback(participant.Settings);
        }

        System = ActorSystem.Create(SystemName, config);
        foreach (var participant in _participants)
        {
            participant.Start(System);
        }

        Cluster.Join(seed ?? Cluster.SelfAddress);
    }

    private async Task StopSystemAsync()
    {
        if (System is null)
        {
            return;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var participant in _participants)
        {
            await participant.StopAsync(System, cts.Token);
        }

        await System.Terminate().WaitAsync(TimeSpan.FromSeconds(15));
    }
}

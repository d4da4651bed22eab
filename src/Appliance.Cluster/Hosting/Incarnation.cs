using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Settings;
using Appliance.Core.Membership;

namespace Appliance.Cluster.Hosting;

/// <summary>
/// One life of this node in the cluster: one ActorSystem, its participants and its membership
/// listener. It starts the participants before joining and stops them before it ends; it never
/// restarts itself (<see cref="ClusterHost"/> starts the next one).
/// </summary>
internal sealed class Incarnation
{
    private readonly IReadOnlyList<IClusterParticipant> _participants;
    private readonly List<IClusterParticipant> _started = [];

    private Incarnation(ActorSystem system, IReadOnlyList<IClusterParticipant> participants)
    {
        System = system;
        Cluster = Akka.Cluster.Cluster.Get(system);
        _participants = participants;
    }

    public ActorSystem System { get; }

    public Akka.Cluster.Cluster Cluster { get; }

    /// <summary>Completes when the system has ended, whoever ended it.</summary>
    public Task Terminated => System.WhenTerminated;

    /// <summary>Set when a peer told this system it was quarantined (removed while it lived on).</summary>
    public bool Quarantined { get; private set; }

    /// <summary>Set when this incarnation ended to join the other side of a healed partition: the next one joins this address.</summary>
    public Address? YieldedTo { get; private set; }

    /// <summary>
    /// True when Akka.Remote ended the system because an outbound TLS handshake failed (in Akka
    /// 1.5.75 a failed dial ends the dialing system, exit code 79; akka.net issues 7839, 7841).
    /// Checked by the reason's name: the type is not part of Akka's public API.
    /// </summary>
    public bool EndedByTlsHandshake => CoordinatedShutdown.Get(System).ShutdownReason?.GetType().Name == "TlsHandshakeFailureReason";

    /// <summary>True once this incarnation's own member was downed or removed by the others.</summary>
    public bool SelfDowned => Cluster.SelfMember.Status is Akka.Cluster.MemberStatus.Down or Akka.Cluster.MemberStatus.Removed;

    /// <summary>
    /// Creates the system, starts the participants and the membership listener and joins through
    /// the seeds. On failure everything started is ended before the exception leaves.
    /// </summary>
    public static Incarnation Start(
        ClusterSettings settings, Config config, IEnumerable<Setup> setups, IReadOnlyList<IClusterParticipant> participants,
        Action<Akka.Cluster.ClusterEvent.CurrentClusterState, Akka.Cluster.Cluster> changed, Action<Address, PeerHintKind> hint,
        Address? join = null)
    {
        var merged = participants.Aggregate(config, (c, p) => c.WithFallback(p.Settings));
        var bootstrap = setups.Aggregate(ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(merged)), (s, x) => s.And(x));
        var system = ActorSystem.Create(ClusterSettings.SystemName, bootstrap);
        var incarnation = new Incarnation(system, participants);
        try
        {
            foreach (var participant in participants)
            {
                participant.Start(system);
                incarnation._started.Add(participant);
            }

            system.ActorOf(MembershipActor.Props(changed, hint), "membership");
            system.ActorOf(Props.Create(() => new QuarantineListener(incarnation)), "quarantine");
            system.ActorOf(HealActor.Props(settings.HealAfter, incarnation.Yield), "heal");
            if (join is { } address)
            {
                incarnation.Cluster.Join(address); // the other side of a healed partition
            }
            else
            {
                incarnation.Cluster.JoinSeedNodes(incarnation.SeedAddresses(settings, selfFirst: false));
            }
            return incarnation;
        }
        catch
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(5));
            throw;
        }
    }

    /// <summary>
    /// The seeds as Akka addresses. Akka lets only the first seed form a cluster alone;
    /// <paramref name="selfFirst"/> puts this node first, for a seed that found none of the others.
    /// </summary>
    public IReadOnlyList<Address> SeedAddresses(ClusterSettings settings, bool selfFirst)
    {
        var protocol = Cluster.SelfAddress.Protocol;
        var seeds = settings.Seeds.Select(s => new Address(protocol, ClusterSettings.SystemName, s.Host, s.Port)).ToList();
        if (selfFirst)
        {
            var self = Cluster.SelfAddress;
            seeds.RemoveAll(a => a.Equals(self));
            seeds.Insert(0, self);
        }

        return seeds;
    }

    /// <summary>Ends this incarnation so that the next one joins <paramref name="winner"/>'s cluster (called from the heal actor; does not wait).</summary>
    private void Yield(Address winner)
    {
        YieldedTo = winner;
        System.Log.Warning("Cluster: {0} was lost to a partition and is alive in another cluster whose lowest address sorts first; this side ends its incarnation and joins it", winner);
        _ = CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClusterJoinUnsuccessfulReason.Instance);
    }

    /// <summary>True once this node is a member (any status short of removed).</summary>
    public bool IsMember => Cluster.SelfMember.Status is not Akka.Cluster.MemberStatus.Removed && Cluster.State.Members.Any(m => m.UniqueAddress.Equals(Cluster.SelfUniqueAddress));

    /// <summary>
    /// Ends this incarnation: participants stop first (bounded), then, when <paramref name="leave"/>,
    /// the node leaves (the others hand over at once instead of waiting for detection), then the
    /// system ends. Each step is bounded by <paramref name="timeout"/>.
    /// </summary>
    public async Task StopAsync(bool leave, TimeSpan timeout)
    {
        foreach (var participant in _started.AsEnumerable().Reverse())
        {
            using var bound = new CancellationTokenSource(timeout);
            try
            {
                await participant.StopAsync(System, bound.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or AggregateException)
            {
                System.Log.Warning("Cluster: participant {0} did not stop cleanly: {1}", participant.GetType().Name, e.Message);
            }
        }

        if (leave && IsMember && !SelfDowned)
        {
            using var bound = new CancellationTokenSource(timeout);
            try
            {
                await Cluster.LeaveAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // the others did not confirm in time; detection will find us gone
            }
        }

        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ActorSystemTerminateReason.Instance).ConfigureAwait(false);
        await Task.WhenAny(System.WhenTerminated, Task.Delay(timeout)).ConfigureAwait(false);
    }

    /// <summary>A peer quarantined this system: it was removed while it lived on, so it ends and the host starts a fresh one.</summary>
    private sealed class QuarantineListener : ReceiveActor
    {
        public QuarantineListener(Incarnation incarnation)
        {
            Receive<ThisActorSystemQuarantinedEvent>(e =>
            {
                incarnation.Quarantined = true;
                Context.GetLogger().Warning("Cluster: {0} quarantined this incarnation; ending it so a fresh one joins", e.RemoteAddress);
                CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.ClusterDowningReason.Instance);
            });
        }

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(ThisActorSystemQuarantinedEvent));
    }
}

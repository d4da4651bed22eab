using System.Globalization;
using Appliance.Core.Configuration;

namespace Appliance.Cluster.Settings;

/// <summary>
/// Everything the cluster needs to know about this node, taken once from the <c>Cluster</c>
/// section (<see cref="NodeClusterOptions"/>, where the defaults live). Pure: no I/O, so the mapping
/// onto Akka's settings (<see cref="ClusterHocon"/>) is tested without starting anything.
/// </summary>
public sealed record ClusterSettings
{
    /// <summary>The ActorSystem name: the same on every node, part of every Akka address.</summary>
    public const string SystemName = "appliance";

    /// <summary>The role every member carries to tell its node name (<c>node:lb1</c>).</summary>
    public const string NodeRolePrefix = "node:";

    public required string NodeName { get; init; }

    /// <summary>Where the listener binds (0.0.0.0 for every address).</summary>
    public required string BindHost { get; init; }

    public required int BindPort { get; init; }

    /// <summary>Where the others reach this node: the advertised address, else the bind address.</summary>
    public required string PublicHost { get; init; }

    public required int PublicPort { get; init; }

    /// <summary>The seeds as host and port, sorted, so every node names the same first seed (Akka lets only the first seed form a cluster on its own).</summary>
    public required IReadOnlyList<(string Host, int Port)> Seeds { get; init; }

    public TimeSpan HeartbeatInterval { get; init; }

    public double PhiThreshold { get; init; }

    public TimeSpan AcceptableHeartbeatPause { get; init; }

    public TimeSpan MinStdDeviation { get; init; }

    public TimeSpan GossipInterval { get; init; }

    public TimeSpan SeedJoinTimeout { get; init; }

    /// <summary>Unreachable for this long and the member is downed. Positive (validation refuses zero); a peer whose port refuses connections may be downed sooner (see DowningPolicy).</summary>
    public TimeSpan DownAfter { get; init; }

    /// <summary>
    /// How long a member lost to a partition must answer, outside this cluster, before the side
    /// with the higher lowest address joins it (<see cref="Membership.HealPolicy"/>): twice the
    /// seed-join timeout, which a restarted node needs at most to join again on its own.
    /// </summary>
    public TimeSpan HealAfter => SeedJoinTimeout * 2;

    public int MaxFrameSize { get; init; }

    /// <summary>True when this node is one of the seeds (it may then form a cluster alone).</summary>
    public bool IsSeed => Seeds.Contains((PublicHost, PublicPort));

    /// <summary>The settings of a validated <c>Cluster</c> section; throws <see cref="FormatException"/> on an address validation should have refused.</summary>
    public static ClusterSettings From(NodeClusterOptions options, string nodeName)
    {
        var (bindHost, bindPort) = Parse(options.BindAddress);
        var (publicHost, publicPort) = options.AdvertiseAddress is { } advertise ? Parse(advertise) : (bindHost, bindPort);
        var seeds = options.Seeds.Select(Parse).Distinct()
            .OrderBy(s => s.Host, StringComparer.Ordinal).ThenBy(s => s.Port).ToList();
        return new ClusterSettings
        {
            NodeName = nodeName,
            BindHost = bindHost,
            BindPort = bindPort,
            PublicHost = publicHost,
            PublicPort = publicPort,
            Seeds = seeds,
            HeartbeatInterval = options.HeartbeatInterval,
            PhiThreshold = options.PhiThreshold,
            AcceptableHeartbeatPause = options.AcceptableHeartbeatPause,
            MinStdDeviation = options.MinStdDeviation,
            GossipInterval = options.GossipInterval,
            SeedJoinTimeout = options.SeedJoinTimeout,
            DownAfter = options.DownAfter,
            MaxFrameSize = options.MaxFrameSize,
        };
    }

    private static (string Host, int Port) Parse(string text)
    {
        if (!EndpointParser.TryParseEndpoint(text, out var host, out var port))
        {
            throw new FormatException($"'{text}' is not host:port; validation should have refused it.");
        }

        return (host == EndpointParser.AnyHost ? "0.0.0.0" : host, port);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{NodeName} at {PublicHost}:{PublicPort} (bound to {BindHost}:{BindPort}), seeds {string.Join(", ", Seeds.Select(s => $"{s.Host}:{s.Port}"))}");
}

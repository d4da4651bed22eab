using System.Collections.Immutable;
using System.Text;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Replication.Messages;
using Appliance.Core.Membership;

namespace Appliance.Tests.Wire;

/// <summary>Valid messages of every kind, drawn from a seeded <see cref="Random"/>, with the awkward corners included.</summary>
internal static class WireSamples
{
    public const int Kinds = 12;

    private static readonly string[] Hosts =
    [
        "10.0.0.1", "198.18.0.12", "node-a.cluster.local", "::1", "fe80::1%eth0", "localhost",
        "ünïcødé-höst", "節点", "emoji-\U0001F680", new string('h', 255), "h",
    ];

    public static ClusterMessage Message(Random r) => Message(r, r.Next(Kinds));

    public static ClusterMessage Message(Random r, int kind) => kind switch
    {
        0 => new Heartbeat(Id(r), Counter(r)),
        1 => new HeartbeatAck(Id(r), Counter(r)),
        2 => new GossipStatus(Id(r), Clock(r, UidsOf(r, r.Next(0, 6))), [.. UidsOf(r, r.Next(0, 6))]),
        3 => new GossipEnvelope(Id(r), Gossip(r)),
        4 => new InitJoin(Id(r), r.Next(2) == 0 ? null : Digest(r)),
        5 => new InitJoinAck(Id(r), Digest(r)),
        6 => new Join(Id(r), Text(r, allowEmpty: true, 255)),
        7 => new Welcome(Id(r), Gossip(r)),
        8 => new Leave(Id(r)),
        9 => ReplicaSamples.Data(r),
        10 => new ReplicaDigest(Id(r), [.. Enumerable.Range(0, r.Next(0, 70)).Select(_ => (ulong)r.NextInt64())], (ulong)r.NextInt64(), r.NextInt64(0, long.MaxValue), r.Next(0, 3)),
        11 => new ReplicaSyncRequest(Id(r)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static NodeAddress Address(Random r) => new(
        r.Next(3) == 0 ? Text(r, allowEmpty: false, 40) : Hosts[r.Next(Hosts.Length)],
        r.Next(4) switch { 0 => 1, 1 => 65535, 2 => 7946, _ => r.Next(1, 65536) });

    public static ulong Uid(Random r) => r.Next(4) switch
    {
        0 => ulong.MaxValue,
        1 => (ulong)r.Next(1, 10),
        _ => (ulong)r.NextInt64(1, long.MaxValue) | ((ulong)r.Next(2) << 63),
    };

    public static UniqueAddress Id(Random r) => new(Address(r), Uid(r));

    public static long Counter(Random r) => r.Next(4) switch
    {
        0 => 0,
        1 => long.MaxValue,
        _ => r.NextInt64(0, 1_000_000),
    };

    public static ClusterDigest Digest(Random r) => new(r.Next(0, 1001), Address(r));

    public static Gossip Gossip(Random r)
    {
        var members = Enumerable.Range(0, r.Next(0, 8))
            .Select(_ => new Member(Id(r), Text(r, allowEmpty: true, 30), (MemberStatus)r.Next(6), Counter(r)))
            .DistinctBy(m => m.Id.Uid)
            .ToImmutableSortedDictionary(m => m.Id, m => m);
        var uids = members.Keys.Select(k => k.Uid).ToList();
        var records = ImmutableList.CreateBuilder<ReachabilityRecord>();
        var versions = ImmutableDictionary.CreateBuilder<ulong, long>();
        foreach (var observer in uids.Where(_ => r.Next(2) == 0))
        {
            versions[observer] = Counter(r);
            foreach (var subject in uids.Where(s => s != observer && r.Next(3) == 0))
            {
                records.Add(new ReachabilityRecord(observer, subject, r.Next(4) == 0, r.NextInt64(0, 100)));
            }
        }

        var tombstones = UidsOf(r, r.Next(0, 4)).ToImmutableDictionary(u => u, _ => r.NextInt64(long.MinValue, long.MaxValue));
        return new Gossip(
            members,
            new Reachability(records.ToImmutable(), versions.ToImmutable()),
            Clock(r, uids.Concat(UidsOf(r, r.Next(0, 3)))),
            [.. uids.Where(_ => r.Next(2) == 0)],
            tombstones);
    }

    public static VectorClock Clock(Random r, IEnumerable<ulong> nodes) =>
        new(nodes.Distinct().ToImmutableSortedDictionary(n => n, _ => Counter(r)));

    public static IEnumerable<ulong> UidsOf(Random r, int count) => Enumerable.Range(0, count).Select(_ => Uid(r)).Distinct().ToList();

    /// <summary>Printable text from several scripts (no control characters, no lone surrogates).</summary>
    public static string Text(Random r, bool allowEmpty, int maxLength)
    {
        var length = r.Next(allowEmpty ? 0 : 1, Math.Min(maxLength, 24) + 1);
        var text = new StringBuilder(length);
        while (text.Length < length)
        {
            var c = r.Next(6) switch
            {
                0 => (char)r.Next(0x20, 0x7F),
                1 => (char)r.Next(0xA0, 0x250),
                2 => (char)r.Next(0x4E00, 0x9FFF),
                3 => (char)r.Next(0x0400, 0x04FF),
                _ => (char)r.Next('a', 'z' + 1),
            };
            text.Append(c);
        }

        return text.ToString();
    }
}

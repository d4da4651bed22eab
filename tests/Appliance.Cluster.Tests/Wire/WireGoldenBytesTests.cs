using System.Collections.Immutable;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Replication;
using Appliance.Cluster.Replication.Crdt;
using Appliance.Cluster.Replication.Messages;
using Appliance.Cluster.Wire;
using Appliance.Core.Membership;

namespace Appliance.Tests.Wire;

/// <summary>
/// The exact bytes of one small message of each kind. A failure here means the wire format changed:
/// nodes of different versions would stop understanding each other. If the change is intended and
/// compatible (Protos/cluster.proto rules), update the expected bytes in the same commit.
/// </summary>
public sealed class WireGoldenBytesTests
{
    private static readonly UniqueAddress From = new(new NodeAddress("10.0.0.1", 7946), 0x0102030405060708);
    private static readonly UniqueAddress Other = new(new NodeAddress("10.0.0.2", 7946), 0x1112131415161718);

    private static Gossip SmallGossip => new(
        ImmutableSortedDictionary<UniqueAddress, Member>.Empty
            .Add(From, new Member(From, "a", MemberStatus.Up, 1))
            .Add(Other, new Member(Other, "b", MemberStatus.Joining, 0)),
        new Reachability([new ReachabilityRecord(From.Uid, Other.Uid, false, 1)], ImmutableDictionary<ulong, long>.Empty.Add(From.Uid, 1)),
        new VectorClock(ImmutableSortedDictionary<ulong, long>.Empty.Add(From.Uid, 2)),
        [From.Uid],
        ImmutableDictionary<ulong, long>.Empty.Add(0x2122232425262728, 1000));

    public static TheoryData<string, string> Golden => new()
    {
        { "heartbeat", "0A1C0A180A0D0A0831302E302E302E31108A3E1108070605040302011005" },
        { "heartbeat_ack", "121C0A180A0D0A0831302E302E302E31108A3E1108070605040302011005" },
        { "gossip_status",
            "1A330A180A0D0A0831302E302E302E31108A3E110807060504030201120D0A0B09080706050403020110021A08080706"
            + "0504030201" },
        { "gossip_envelope",
            "22AD010A180A0D0A0831302E302E302E31108A3E1108070605040302011290010A210A180A0D0A0831302E302E302E31"
            + "108A3E110807060504030201120161180220010A1F0A180A0D0A0831302E302E302E32108A3E11181716151413121112"
            + "0162180112230A140908070605040302011118171615141312112001120B09080706050403020110011A0D0A0B090807"
            + "0605040302011002220808070605040302012A0C09282726252423222110E807" },
        { "init_join", "2A1A0A180A0D0A0831302E302E302E31108A3E110807060504030201" },
        { "init_join_ack", "322D0A180A0D0A0831302E302E302E31108A3E11080706050403020112110802120D0A0831302E302E302E31108A3E" },
        { "join", "3A1D0A180A0D0A0831302E302E302E31108A3E110807060504030201120161" },
        { "welcome",
            "42AD010A180A0D0A0831302E302E302E31108A3E1108070605040302011290010A210A180A0D0A0831302E302E302E31"
            + "108A3E110807060504030201120161180220010A1F0A180A0D0A0831302E302E302E32108A3E11181716151413121112"
            + "0162180112230A140908070605040302011118171615141312112001120B09080706050403020110011A0D0A0B090807"
            + "0605040302011002220808070605040302012A0C09282726252423222110E807" },
        { "leave", "4A1A0A180A0D0A0831302E302E302E31108A3E110807060504030201" },
        { "replica_data",
            "525F0A180A0D0A0831302E302E302E31108A3E11080706050403020110011A210803121D0A016B120E08E80710011908"
            + "0706050403020122016228E80730B0EA01221E0A1209080706050403020112070A01621002180112081817161514131211" },
        { "replica_digest", "5A350A180A0D0A0831302E302E302E31108A3E110807060504030201121001000000000000000200000000000000190300000000000000" },
        // The same digest from a node that sums per-entry hashes (session_scheme 2, field 5).
        { "replica_digest_scheme2", "5A370A180A0D0A0831302E302E302E31108A3E1108070605040302011210010000000000000002000000000000001903000000000000002802" },
        { "replica_sync_request", "621A0A180A0D0A0831302E302E302E31108A3E110807060504030201" },
    };

    private static ClusterMessage Sample(string kind) => kind switch
    {
        "heartbeat" => new Heartbeat(From, 5),
        "heartbeat_ack" => new HeartbeatAck(From, 5),
        "gossip_status" => new GossipStatus(From, new VectorClock(ImmutableSortedDictionary<ulong, long>.Empty.Add(From.Uid, 2)), [From.Uid]),
        "gossip_envelope" => new GossipEnvelope(From, SmallGossip),
        "init_join" => new InitJoin(From, null),
        "init_join_ack" => new InitJoinAck(From, new ClusterDigest(2, From.Address)),
        "join" => new Join(From, "a"),
        "welcome" => new Welcome(From, SmallGossip),
        "leave" => new Leave(From),
        "replica_data" => new ReplicaData(
            From,
            ReplicaDataKind.Delta,
            [new ShardSlice(3, LwwMap<SessionValue>.Empty.Put("k", new SessionValue("b", 1000, 30_000), new Hlc(1000, 1, From.Uid)).State)],
            GaugeMap.Empty.Set(From.Uid, "b", 2).State.DropNode(Other.Uid).State),
        "replica_digest" => new ReplicaDigest(From, [1, 2], 3),
        "replica_digest_scheme2" => new ReplicaDigest(From, [1, 2], 3, SessionScheme: 2),
        "replica_sync_request" => new ReplicaSyncRequest(From),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Encode_SmallMessage_ExactGoldenBytes(string kind, string hex)
    {
        var bytes = WireCodec.Encode(Sample(kind));

        Assert.Equal(hex, Convert.ToHexString(bytes));
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Decode_GoldenBytes_GivesTheSample(string kind, string hex)
    {
        Assert.True(WireCodec.TryDecode(Convert.FromHexString(hex), out var message, out var error), error);

        Assert.Equal(WireDescription.Of(Sample(kind)), WireDescription.Of(message));
    }
}

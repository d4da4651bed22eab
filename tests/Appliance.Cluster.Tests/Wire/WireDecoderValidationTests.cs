using Appliance.Cluster.Wire;
using Google.Protobuf;
using P = Appliance.Cluster.Wire.Proto;
using Appliance.Core.Membership;

namespace Appliance.Tests.Wire;

public sealed class WireDecoderValidationTests
{
    private static P.UniqueAddress Id(ulong uid = 7, string host = "10.0.0.1", uint port = 7946) =>
        new() { Address = new P.Address { Host = host, Port = port }, Uid = uid };

    private static P.Envelope HeartbeatFrom(P.UniqueAddress from) => new() { Heartbeat = new P.Heartbeat { From = from, Sequence = 1 } };

    private static P.Envelope GossipWith(Action<P.Gossip> edit)
    {
        var gossip = new P.Gossip { Reachability = new P.Reachability(), Version = new P.VectorClock() };
        edit(gossip);
        return new P.Envelope { GossipEnvelope = new P.GossipEnvelope { From = Id(), Gossip = gossip } };
    }

    private static P.Member Member(ulong uid, P.MemberStatus status = P.MemberStatus.Up) =>
        new() { Id = Id(uid, "10.0.0." + (uid % 250)), Name = "n" + uid, Status = status, UpNumber = 1 };

    private static string Rejected(P.Envelope envelope)
    {
        Assert.False(WireCodec.TryDecode(envelope.ToByteArray(), out var message, out var error));
        Assert.Null(message);
        Assert.NotNull(error);
        return error;
    }

    public static TheoryData<uint, string> BadPorts => new() { { 0u, "heartbeat.from.address.port" }, { 65536u, "heartbeat.from.address.port" }, { uint.MaxValue, "heartbeat.from.address.port" } };

    [Theory]
    [MemberData(nameof(BadPorts))]
    public void TryDecode_PortOutOfRange_RejectedWithPath(uint port, string path)
    {
        var error = Rejected(HeartbeatFrom(Id(port: port)));

        Assert.StartsWith(path, error, StringComparison.Ordinal);
        Assert.Contains("1..65535", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\nhost")]
    [InlineData("bad\u0000host")]
    public void TryDecode_EmptyOrControlCharacterHost_Rejected(string host)
    {
        Assert.StartsWith("heartbeat.from.address.host", Rejected(HeartbeatFrom(Id(host: host))), StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_HostOf256Characters_RejectedButTwoHundredFiftyFiveAccepted()
    {
        Assert.Contains("1..255", Rejected(HeartbeatFrom(Id(host: new string('a', 256)))), StringComparison.Ordinal);

        Assert.True(WireCodec.TryDecode(HeartbeatFrom(Id(host: new string('a', 255))).ToByteArray(), out _, out var error), error);
    }

    [Fact]
    public void TryDecode_ZeroUid_Rejected()
    {
        Assert.Equal("heartbeat.from.uid must not be 0", Rejected(HeartbeatFrom(Id(uid: 0))));
    }

    [Fact]
    public void TryDecode_MissingSender_Rejected()
    {
        Assert.Equal("leave.from is missing", Rejected(new P.Envelope { Leave = new P.Leave() }));
    }

    [Fact]
    public void TryDecode_EmptyEnvelope_Rejected()
    {
        Assert.StartsWith("envelope carries no message", Rejected(new P.Envelope()), StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_NegativeSequence_Rejected()
    {
        var envelope = new P.Envelope { HeartbeatAck = new P.HeartbeatAck { From = Id(), Sequence = -1 } };

        Assert.Equal("heartbeat_ack.sequence must not be negative (got -1)", Rejected(envelope));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(-3)]
    [InlineData(int.MaxValue)]
    public void TryDecode_MemberStatusOutOfRange_Rejected(int status)
    {
        var error = Rejected(GossipWith(g => g.Members.Add(Member(5, (P.MemberStatus)status))));

        Assert.Equal($"gossip_envelope.gossip.members[0].status must be 1..6 (got {status})", error);
    }

    [Fact]
    public void TryDecode_ThousandAndOneMembers_RejectedThousandAccepted()
    {
        var error = Rejected(GossipWith(g => g.Members.AddRange(Enumerable.Range(1, 1001).Select(i => Member((ulong)i)))));
        Assert.Equal("gossip_envelope.gossip.members has 1001 entries; at most 1000 are allowed", error);

        var ok = GossipWith(g => g.Members.AddRange(Enumerable.Range(1, 1000).Select(i => Member((ulong)i))));
        Assert.True(WireCodec.TryDecode(ok.ToByteArray(), out _, out var okError), okError);
    }

    [Fact]
    public void TryDecode_TooManyReachabilityRows_RejectedBeforeBuildingThem()
    {
        var envelope = GossipWith(g => g.Reachability.Records.AddRange(Enumerable.Range(0, 100_001)
            .Select(i => new P.ReachabilityRecord { Observer = 1, Subject = (ulong)i + 2, Version = 1 })));

        Assert.Equal("gossip_envelope.gossip.reachability.records has 100001 entries; at most 100000 are allowed", Rejected(envelope));
    }

    [Fact]
    public void TryDecode_DuplicateMemberUid_Rejected()
    {
        Assert.Equal("gossip_envelope.gossip.members[1].id.uid repeats an earlier member", Rejected(GossipWith(g => g.Members.Add([Member(5), Member(5)]))));
    }

    [Fact]
    public void TryDecode_DuplicateVersionEntry_Rejected()
    {
        var envelope = GossipWith(g => g.Version.Entries.Add([new P.VersionEntry { Node = 3, Version = 1 }, new P.VersionEntry { Node = 3, Version = 2 }]));

        Assert.Equal("gossip_envelope.gossip.version.entries[1].node repeats an earlier node", Rejected(envelope));
    }

    [Fact]
    public void TryDecode_DuplicateReachabilityPair_Rejected()
    {
        var row = new P.ReachabilityRecord { Observer = 1, Subject = 2, Version = 1 };

        Assert.Equal("gossip_envelope.gossip.reachability.records[1] repeats an earlier observer and subject", Rejected(GossipWith(g => g.Reachability.Records.Add([row, row.Clone()]))));
    }

    [Fact]
    public void TryDecode_ZeroUidInSeen_Rejected()
    {
        Assert.Equal("gossip_envelope.gossip.seen[1] must not be 0", Rejected(GossipWith(g => g.Seen.Add([4, 0]))));
    }

    [Fact]
    public void TryDecode_GossipWithoutReachability_Rejected()
    {
        Assert.Equal("gossip_envelope.gossip.reachability is missing", Rejected(GossipWith(g => g.Reachability = null)));
    }

    [Fact]
    public void TryDecode_DigestLiveMembersOutOfRange_Rejected()
    {
        var envelope = new P.Envelope { InitJoinAck = new P.InitJoinAck { From = Id(), Cluster = new P.ClusterDigest { LiveMembers = -1, Lowest = Id().Address } } };

        Assert.Equal("init_join_ack.cluster.live_members must be 0..1000 (got -1)", Rejected(envelope));
    }

    [Fact]
    public void TryDecode_InitJoinAckWithoutCluster_Rejected()
    {
        Assert.Equal("init_join_ack.cluster is missing", Rejected(new P.Envelope { InitJoinAck = new P.InitJoinAck { From = Id() } }));
    }

    [Fact]
    public void TryDecode_JoinNameTooLong_Rejected()
    {
        var envelope = new P.Envelope { Join = new P.Join { From = Id(), Name = new string('n', 256) } };

        Assert.Equal("join.name must be at most 255 characters (got 256)", Rejected(envelope));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0x0A, 0x05, 0x01 })]
    [InlineData(new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void TryDecode_NotProtobuf_RejectedWithoutThrowing(byte[] bytes)
    {
        Assert.False(WireCodec.TryDecode(bytes, out var message, out var error));
        Assert.Null(message);
        Assert.StartsWith("not a valid protobuf Envelope", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_InvalidUtf8Host_NeverThrows()
    {
        var bytes = new P.Envelope { Leave = new P.Leave { From = Id(host: "\u00e9a") } }.ToByteArray();
        var at = bytes.AsSpan().IndexOf([(byte)0xC3, (byte)0xA9]);
        bytes[at + 1] = 0x28; // C3 28 is not UTF-8

        var decoded = WireCodec.TryDecode(bytes, out var message, out var error);

        Assert.False(decoded, "decoded as " + message);
        // Google.Protobuf 3.26 and later refuse invalid UTF-8 in a string field while parsing.
        Assert.StartsWith("not a valid protobuf Envelope", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_UnknownFieldsFromANewerVersion_Ignored()
    {
        var bytes = HeartbeatFrom(Id()).ToByteArray().Concat(new byte[] { 0xF8, 0x3F, 0x01 }).ToArray(); // field 999, varint 1

        Assert.True(WireCodec.TryDecode(bytes, out var message, out var error), error);
        Assert.IsType<Appliance.Cluster.Messages.Heartbeat>(message);
    }
}

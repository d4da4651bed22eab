using System.Collections.Immutable;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Wire;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Appliance.Core.Membership;

namespace Appliance.Tests.Wire;

public sealed class WireCodecRoundTripTests
{
    private static readonly Config Deterministic = Config.QuickThrowOnFailure
        .WithMaxTest(300)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(0x5EED_0004UL, 0x9E37_79B9_7F4A_7C15UL), FSharpOption<int>.None)));

    public static TheoryData<int> Kinds => [.. Enumerable.Range(0, WireSamples.Kinds)];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EncodeDecode_AnyMessageOfKind_SameMessageAndSameBytes(int kind)
    {
        var seeds = Gen.Choose(0, int.MaxValue).ToArbitrary();

        Check.One(Deterministic, Prop.ForAll(seeds, seed =>
        {
            var message = WireSamples.Message(new Random(seed), kind);
            var bytes = WireCodec.Encode(message);

            var decoded = WireCodec.TryDecode(bytes, out var back, out var error);

            return decoded && error is null
                && back!.GetType() == message.GetType()
                && WireDescription.Of(back) == WireDescription.Of(message)
                && WireCodec.Encode(back).AsSpan().SequenceEqual(bytes);
        }));
    }

    [Fact]
    public void EncodeDecode_EmptyGossipAndNoCluster_RoundTrips()
    {
        var from = new UniqueAddress(new NodeAddress("10.0.0.1", 7946), 1);
        ClusterMessage[] messages =
        [
            new GossipEnvelope(from, Gossip.Empty),
            new Welcome(from, Gossip.Empty),
            new InitJoin(from, null),
            new GossipStatus(from, VectorClock.Empty, []),
            new Join(from, ""),
        ];

        foreach (var message in messages)
        {
            Assert.True(WireCodec.TryDecode(WireCodec.Encode(message), out var back, out var error), error);
            Assert.Equal(WireDescription.Of(message), WireDescription.Of(back));
        }
    }

    [Fact]
    public void EncodeDecode_InitJoinWithoutCluster_StaysNull()
    {
        var message = new InitJoin(new UniqueAddress(new NodeAddress("a", 1), 9), null);

        Assert.True(WireCodec.TryDecode(WireCodec.Encode(message), out var back, out _));

        Assert.Null(Assert.IsType<InitJoin>(back).Cluster);
    }

    [Fact]
    public void EncodeDecode_FullSizedGossip_KeepsEveryMemberAndRow()
    {
        var members = Enumerable.Range(1, 1000)
            .Select(i => new Member(new UniqueAddress(new NodeAddress($"198.18.{i / 256}.{i % 256}", 7946), (ulong)i), $"node-{i}", MemberStatus.Up, i))
            .ToImmutableSortedDictionary(m => m.Id, m => m);
        var records = Enumerable.Range(1, 1000).SelectMany(o => Enumerable.Range(1, 5).Select(s => new ReachabilityRecord((ulong)o, (ulong)(((o + s) % 1000) + 1), false, s)));
        var gossip = new Gossip(
            members,
            new Reachability([.. records], Enumerable.Range(1, 1000).ToImmutableDictionary(i => (ulong)i, i => (long)i)),
            new VectorClock(Enumerable.Range(1, 1000).ToImmutableSortedDictionary(i => (ulong)i, i => (long)i)),
            [.. Enumerable.Range(1, 1000).Select(i => (ulong)i)],
            ImmutableDictionary<ulong, long>.Empty);
        var message = new GossipEnvelope(members.Keys.First(), gossip);

        var bytes = WireCodec.Encode(message);

        Assert.True(bytes.Length < 1 << 20, $"a 1000-member gossip is {bytes.Length} bytes, more than a default frame");
        Assert.True(WireCodec.TryDecode(bytes, out var back, out var error), error);
        Assert.Equal(WireDescription.Of(message), WireDescription.Of(back));
    }
}

using Appliance.Replication.Sessions;
using Appliance.Replication.Wire;

namespace Appliance.Replication.Tests.Wire;

/// <summary>
/// The protobuf codec behind the Akka serializer: every message survives a round trip, and
/// 100,000 mutated payloads (bytes flipped, cut, appended, manifests swapped) each either decode
/// to a message within the bounds or are refused with a reason; none throws.
/// </summary>
public sealed class SerializerTests
{
    private static readonly Hlc Stamp = new(1_700_000_000_000, 3, 0xABCDEF);

    private static IReplicationMessage[] Samples() =>
    [
        new SessionData(SessionDataKind.Sync, [new ShardSlice(7, [
            KeyValuePair.Create("http/web/c1", new LwwEntry<SessionValue>(new SessionValue("b1", 1_700_000_000_000, 60_000), Stamp, false)),
            KeyValuePair.Create("http/web/c2", new LwwEntry<SessionValue>(default, Stamp with { Logical = 4 }, true)),
        ])], Seq: 12),
        new SessionDigest([1UL, 2UL, ulong.MaxValue], 1_700_000_000_000, StateDigest.SessionScheme),
        SessionSyncRequest.Instance,
        new SessionAck(5),
        new NodeGauges(new Dictionary<string, long> { ["web/b1"] = 3, ["tcp/pool/b2"] = -1 }),
    ];

    [Fact]
    public void RoundTrip_EveryMessage_ComesBackEqual()
    {
        foreach (var message in Samples())
        {
            var bytes = ReplicationCodec.Encode(message);
            var back = ReplicationCodec.Decode(bytes, ReplicationCodec.ManifestOf(message), out var problem);
            Assert.Null(problem);
            Assert.NotNull(back);
            if (message is SessionData data)
            {
                var got = Assert.IsType<SessionData>(back);
                Assert.Equal(data.Kind, got.Kind);
                Assert.Equal(data.Seq, got.Seq);
                Assert.Equal(data.Slices[0].Entries, got.Slices[0].Entries);
            }
            else if (message is SessionDigest digest)
            {
                Assert.Equal(digest.ShardHashes, Assert.IsType<SessionDigest>(back).ShardHashes);
            }
            else
            {
                Assert.Equal(message, back);
            }
        }
    }

    [Fact]
    public void Gauges_EqualValues_GiveEqualBytes()
    {
        var a = new NodeGauges(new Dictionary<string, long> { ["x"] = 1, ["a"] = 2, ["m"] = 3 });
        var b = new NodeGauges(new Dictionary<string, long> { ["m"] = 3, ["x"] = 1, ["a"] = 2 });
        Assert.Equal(ReplicationCodec.Encode(a), ReplicationCodec.Encode(b));
    }

    [Theory]
    [InlineData("D", "kind must be 1..4")]
    [InlineData("A", "seq must be above 0")]
    [InlineData("?", "unknown manifest")]
    public void Decode_EmptyOrUnknown_IsRefusedWithAReason(string manifest, string reason)
    {
        Assert.Null(ReplicationCodec.Decode([], manifest, out var problem));
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void Decode_EntryBreakingABound_IsRefused()
    {
        var tooLong = new SessionData(SessionDataKind.Delta, [new ShardSlice(1, [
            KeyValuePair.Create(new string('k', WireLimits.MaxSessionKeyLength + 1), new LwwEntry<SessionValue>(new SessionValue("b", 1, 1), Stamp, false)),
        ])]);
        Assert.Null(ReplicationCodec.Decode(ReplicationCodec.Encode(tooLong), "D", out var problem));
        Assert.Contains(".key must be", problem);

        var control = new SessionData(SessionDataKind.Delta, [new ShardSlice(1, [
            KeyValuePair.Create("k", new LwwEntry<SessionValue>(new SessionValue("b\n", 1, 1), Stamp, false)),
        ])]);
        Assert.Null(ReplicationCodec.Decode(ReplicationCodec.Encode(control), "D", out problem));
        Assert.Contains("control character", problem);

        var zeroNode = new SessionData(SessionDataKind.Delta, [new ShardSlice(1, [
            KeyValuePair.Create("k", new LwwEntry<SessionValue>(new SessionValue("b", 1, 1), Stamp with { Node = 0 }, false)),
        ])]);
        Assert.Null(ReplicationCodec.Decode(ReplicationCodec.Encode(zeroNode), "D", out problem));
        Assert.Contains("node != 0", problem);
    }

    [Fact]
    public void Decode_OneHundredThousandMutations_NeverThrows()
    {
        var random = new Random(0x7215);
        var samples = Samples().Select(m => (Bytes: ReplicationCodec.Encode(m), Manifest: ReplicationCodec.ManifestOf(m))).ToArray();
        string[] manifests = ["D", "G", "S", "A", "N", "", "DD"];
        var refused = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var (original, manifest) = samples[random.Next(samples.Length)];
            var bytes = Mutate(original, random);
            if (random.Next(10) == 0)
            {
                manifest = manifests[random.Next(manifests.Length)];
            }

            var message = ReplicationCodec.Decode(bytes, manifest, out var problem);
            Assert.True(message is null == problem is not null, "a payload is either a message or refused with a reason");
            refused += message is null ? 1 : 0;
            if (message is SessionData data)
            {
                Assert.All(data.Slices, s => Assert.InRange(s.Shard, 0, WireLimits.MaxShards - 1));
                Assert.All(data.Slices.SelectMany(s => s.Entries), e => Assert.InRange(e.Key.Length, 1, WireLimits.MaxSessionKeyLength));
            }
        }

        Assert.InRange(refused, 1_000, 99_999); // both outcomes happened: the mutations reach the checks
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            switch (random.Next(4))
            {
                case 0 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes.RemoveRange(random.Next(bytes.Count), 1);
                    break;
                case 2:
                    bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256));
                    break;
                default:
                    if (bytes.Count > 1)
                    {
                        bytes.RemoveRange(random.Next(bytes.Count), 1);
                    }

                    break;
            }
        }

        return [.. bytes];
    }
}

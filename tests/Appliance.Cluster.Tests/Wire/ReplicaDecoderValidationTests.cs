using Appliance.Cluster.Wire;
using Google.Protobuf;
using P = Appliance.Cluster.Wire.Proto;

namespace Appliance.Tests.Wire;

public sealed class ReplicaDecoderValidationTests
{
    private static P.UniqueAddress From => new() { Address = new P.Address { Host = "10.0.0.1", Port = 7946 }, Uid = 1 };

    private static P.SessionEntry Live(string key) => new()
    {
        Key = key,
        Timestamp = new P.Hlc { WallMs = 10, Logical = 0, Node = 1 },
        Backend = "web/b1",
        LastSeenMs = 10,
        IdleTimeoutMs = 1_000,
    };

    [Fact]
    public void TryDecode_ValidData_Accepted()
    {
        var error = Decode(Data(Live("a"), Live("b")));

        Assert.Null(error);
    }

    [Fact]
    public void TryDecode_UnspecifiedKind_Rejected()
    {
        var data = Data(Live("a"));
        data.ReplicaData.Kind = P.ReplicaDataKind.Unspecified;

        Assert.StartsWith("replica_data.kind", Decode(data), StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_DuplicateKeyInShard_Rejected()
    {
        Assert.Equal("replica_data.sessions[0].entries[1].key repeats an earlier key", Decode(Data(Live("a"), Live("a"))));
    }

    [Fact]
    public void TryDecode_TombstoneCarryingASession_Rejected()
    {
        var tombstone = Live("a");
        tombstone.Tombstone = true;

        Assert.Equal("replica_data.sessions[0].entries[0] is a tombstone but carries a session", Decode(Data(tombstone)));
    }

    [Fact]
    public void TryDecode_ShardBeyondLimit_Rejected()
    {
        var data = Data(Live("a"));
        data.ReplicaData.Sessions[0].Shard = 4096;

        Assert.StartsWith("replica_data.sessions[0].shard must be 0..4095", Decode(data), StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_TooManyEntries_RejectedBeforeBuildingThem()
    {
        var entries = Enumerable.Range(0, WireLimits.MaxSessionEntries + 1).Select(i => Live($"k{i}")).ToArray();

        Assert.StartsWith("replica_data.sessions[*].entries has 10001 entries", Decode(Data(entries)), StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_NegativeOrHugeIdleTimeoutOrZeroWriter_Rejected()
    {
        var negative = Live("a");
        negative.IdleTimeoutMs = -1;
        var zeroWriter = Live("a");
        zeroWriter.Timestamp.Node = 0;
        var controlKey = Live("a\n");

        Assert.StartsWith("replica_data.sessions[0].entries[0].idle_timeout_ms", Decode(Data(negative)), StringComparison.Ordinal);
        Assert.Equal("replica_data.sessions[0].entries[0].timestamp.node must not be 0", Decode(Data(zeroWriter)));
        Assert.Equal("replica_data.sessions[0].entries[0].key contains a control character", Decode(Data(controlKey)));
    }

    [Fact]
    public void TryDecode_DuplicateGaugeBackend_Rejected()
    {
        var data = Data();
        var node = new P.NodeGauges { Node = 2 };
        node.Gauges.Add(new P.GaugeEntry { Backend = "web/a", Value = 1, Version = 1 });
        node.Gauges.Add(new P.GaugeEntry { Backend = "web/a", Value = 2, Version = 2 });
        data.ReplicaData.Gauges = new P.GaugeMap();
        data.ReplicaData.Gauges.Nodes.Add(node);

        Assert.Equal("replica_data.gauges.nodes[0].gauges[1].backend repeats an earlier backend", Decode(data));
    }

    private static P.Envelope Data(params P.SessionEntry[] entries)
    {
        var slice = new P.ShardSlice { Shard = 0 };
        slice.Entries.AddRange(entries);
        var data = new P.ReplicaData { From = From, Kind = P.ReplicaDataKind.Delta };
        data.Sessions.Add(slice);
        return new P.Envelope { ReplicaData = data };
    }

    private static string? Decode(P.Envelope envelope)
    {
        WireCodec.TryDecode(envelope.ToByteArray(), out _, out var error);
        return error;
    }
}

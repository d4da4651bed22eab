using Appliance.Replication.Sessions;

namespace Appliance.Replication.Wire;

/// <summary>
/// Every message of ours that Akka carries between nodes; bound to <see cref="ReplicationSerializer"/>
/// (protobuf, Protos/replication.proto), so none goes through Akka's default JSON serializer.
/// </summary>
public interface IReplicationMessage;

/// <summary>What one session message carries and why it was sent.</summary>
internal enum SessionDataKind
{
    /// <summary>Batched local deltas.</summary>
    Delta = 1,

    /// <summary>Full state of shards whose digest differed.</summary>
    Repair = 2,

    /// <summary>A chunk of a full-state transfer to a syncing node.</summary>
    Sync = 3,

    /// <summary>The last chunk of a full-state transfer: the receiver is synced once it is joined.</summary>
    SyncComplete = 4,
}

/// <summary>
/// Some or all entries of one session shard, distinct keys in any order: a delta, or a chunk of a
/// shard's full state. A flat list: every receiver joins the entries one by one into its table.
/// </summary>
internal sealed record ShardSlice(int Shard, IReadOnlyList<KeyValuePair<string, LwwEntry<SessionValue>>> Entries);

/// <summary>
/// Session entries by shard. Transfer messages (repairs, sync chunks) carry a sequence number
/// above 0 that the receiver acknowledges with <see cref="SessionAck"/>: the sender keeps a bounded
/// window of unacknowledged ones, so a full sync never queues megabytes ahead of heartbeats.
/// </summary>
internal sealed record SessionData(SessionDataKind Kind, IReadOnlyList<ShardSlice> Slices, long Seq = 0) : IReplicationMessage;

/// <summary>
/// Anti-entropy: a hash per session shard of the writes stamped before <paramref name="WrittenBeforeMs"/>
/// (the sender's wall ms), computed by <paramref name="Scheme"/>; the receiver repairs what differs.
/// </summary>
internal sealed record SessionDigest(IReadOnlyList<ulong> ShardHashes, long WrittenBeforeMs, int Scheme) : IReplicationMessage;

/// <summary>A starting node asks a peer for its full state.</summary>
internal sealed record SessionSyncRequest : IReplicationMessage
{
    public static readonly SessionSyncRequest Instance = new();
}

/// <summary>The receiver of a transfer message took it in.</summary>
internal sealed record SessionAck(long Seq) : IReplicationMessage;

/// <summary>
/// What a malformed payload decodes to: never an exception (Akka.Remote would log it as an error
/// and may drop the association), but a value the actors count and drop.
/// </summary>
internal sealed record RejectedMessage(string Manifest, string Reason) : IReplicationMessage;

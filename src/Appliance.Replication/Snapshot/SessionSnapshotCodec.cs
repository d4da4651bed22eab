using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using Appliance.Replication.Sessions;
using Appliance.Replication.Wire;
using Google.Protobuf;

namespace Appliance.Replication.Snapshot;

/// <summary>
/// The session snapshot file format, without any file I/O (the shell is <see cref="SessionSnapshotService"/>):
/// <code>
/// "APSNAPSH" (8 bytes)  version (uint32 LE, 1)
/// record*:  length (uint32 LE, 1..MaxRecordBytes)  protobuf ShardSlice (replication.proto, as on the wire)
/// end:      0 (uint32)  entry count (uint64 LE)  XxHash64 of every byte before it (uint64 LE)
/// </code>
/// Records are written one chunk at a time, so a million sessions never sit in one buffer. Reading
/// checks every bound, every entry (as the wire decoder does) and the checksum, and reports the
/// first problem as text instead of throwing.
/// </summary>
internal static class SessionSnapshotCodec
{
    public const uint Version = 1;
    public const int MaxRecordBytes = WireLimits.MaxPayloadBytes;
    public const long MaxFileBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>Entries per record: even 1000 entries at the largest key and backend stay under <see cref="MaxRecordBytes"/>.</summary>
    public const int ChunkEntries = 1000;

    private const int HeaderBytes = 12;
    private const int TrailerBytes = 20;
    private static ReadOnlySpan<byte> Magic => "APSNAPSH"u8;

    /// <summary>
    /// Writes <paramref name="chunks"/> (enumerated lazily) to <paramref name="output"/>, leaving out
    /// sessions expired at <paramref name="nowMs"/>; returns the entries written.
    /// </summary>
    public static long Write(Stream output, IEnumerable<(int Shard, IReadOnlyList<KeyValuePair<string, LwwEntry<SessionValue>>> Entries)> chunks, long nowMs)
    {
        var hash = new XxHash64();
        Span<byte> header = stackalloc byte[HeaderBytes];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
        Put(output, hash, header);

        var count = 0L;
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        Span<byte> length = stackalloc byte[4];
        foreach (var (shard, entries) in chunks)
        {
            var live = entries.Where(e => e.Value.IsTombstone || !e.Value.Value.IsExpired(nowMs));
            var slice = ReplicationCodec.Slice(shard, live);
            if (slice.Entries.Count == 0)
            {
                continue;
            }

            buffer.ResetWrittenCount();
            slice.WriteTo(buffer);
            if (buffer.WrittenCount > MaxRecordBytes)
            {
                throw new InvalidOperationException($"a snapshot record of {buffer.WrittenCount} bytes is above {MaxRecordBytes}");
            }

            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)buffer.WrittenCount);
            Put(output, hash, length);
            Put(output, hash, buffer.WrittenSpan);
            count += slice.Entries.Count;
        }

        Span<byte> trailer = stackalloc byte[TrailerBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(trailer[4..], (ulong)count);
        hash.Append(trailer[..12]);
        BinaryPrimitives.WriteUInt64LittleEndian(trailer[12..], hash.GetCurrentHashAsUInt64());
        output.Write(trailer);
        return count;
    }

    /// <summary>
    /// The slices of a snapshot, or null with <paramref name="problem"/> (never the contents): a
    /// foreign, truncated, oversized or corrupt file. Nothing is returned unless the whole file checks.
    /// </summary>
    public static List<ShardSlice>? Read(Stream input, out string? problem)
    {
        problem = null;
        try
        {
            return ReadCore(input, out problem);
        }
        catch (IOException e)
        {
            problem = "read failed: " + e.Message;
            return null;
        }
    }

    private static List<ShardSlice>? ReadCore(Stream input, out string? problem)
    {
        problem = null;
        if (input.CanSeek && input.Length - input.Position > MaxFileBytes)
        {
            return Fail(out problem, $"the file is {input.Length} bytes; at most {MaxFileBytes} are read");
        }

        var hash = new XxHash64();
        Span<byte> header = stackalloc byte[HeaderBytes];
        if (!Fill(input, header))
        {
            return Fail(out problem, "shorter than its header");
        }

        if (!header[..8].SequenceEqual(Magic))
        {
            return Fail(out problem, "not a session snapshot (wrong magic)");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != Version)
        {
            return Fail(out problem, $"format version {version}; this node reads version {Version}");
        }

        hash.Append(header);
        var slices = new List<ShardSlice>();
        var count = 0L;
        var read = (long)HeaderBytes;
        Span<byte> word = stackalloc byte[4];
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (true)
            {
                if (!Fill(input, word))
                {
                    return Fail(out problem, $"truncated after {slices.Count} records");
                }

                hash.Append(word);
                var length = BinaryPrimitives.ReadUInt32LittleEndian(word);
                if (length == 0)
                {
                    break;
                }

                if (length > MaxRecordBytes)
                {
                    return Fail(out problem, $"record {slices.Count} claims {length} bytes; at most {MaxRecordBytes}");
                }

                read += 4 + length;
                if (read > MaxFileBytes)
                {
                    return Fail(out problem, $"longer than {MaxFileBytes} bytes");
                }

                if (buffer.Length < length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent((int)length);
                }

                var record = buffer.AsSpan(0, (int)length);
                if (!Fill(input, record))
                {
                    return Fail(out problem, $"truncated in record {slices.Count}");
                }

                hash.Append(record);
                if (ReplicationCodec.DecodeSlice(record, out var sliceProblem) is not { } slice)
                {
                    return Fail(out problem, $"record {slices.Count}: {sliceProblem}");
                }

                count += slice.Entries.Count;
                slices.Add(slice);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Span<byte> tail = stackalloc byte[16];
        if (!Fill(input, tail))
        {
            return Fail(out problem, "truncated in its trailer");
        }

        hash.Append(tail[..8]);
        if (BinaryPrimitives.ReadUInt64LittleEndian(tail[8..]) != hash.GetCurrentHashAsUInt64())
        {
            return Fail(out problem, "checksum mismatch");
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(tail) != (ulong)count)
        {
            return Fail(out problem, $"the trailer counts {BinaryPrimitives.ReadUInt64LittleEndian(tail)} entries; the records hold {count}");
        }

        return input.ReadByte() >= 0 ? Fail(out problem, "bytes after the trailer") : slices;
    }

    private static void Put(Stream output, XxHash64 hash, ReadOnlySpan<byte> bytes)
    {
        hash.Append(bytes);
        output.Write(bytes);
    }

    private static bool Fill(Stream input, Span<byte> target)
    {
        var done = 0;
        while (done < target.Length)
        {
            var n = input.Read(target[done..]);
            if (n == 0)
            {
                return false;
            }

            done += n;
        }

        return true;
    }

    private static List<ShardSlice>? Fail(out string? problem, string text)
    {
        problem = text;
        return null;
    }
}

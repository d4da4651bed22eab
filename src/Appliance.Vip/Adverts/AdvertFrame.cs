using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Vip.Adverts;

/// <summary><c>vip move</c> relayed to the holder: give <paramref name="Vip"/> up to <paramref name="To"/> (null: the best-ranked).</summary>
internal sealed record MoveRequest(ulong Id, string Vip, string? To);

/// <summary>The holder's answer to a <see cref="MoveRequest"/>: null when it gives the VIP up, else why not.</summary>
internal sealed record MoveAnswer(ulong Id, string? Refusal);

/// <summary>One frame of the VIP advert channel: exactly one of the three bodies is set.</summary>
/// <param name="Incarnation">The sender's start (Unix ms): a restart gets a larger one.</param>
/// <param name="Sequence">Grows by one per frame within an incarnation; replays and late frames are dropped.</param>
internal sealed record AdvertFrameContent(
    string Sender,
    ulong Incarnation,
    ulong Sequence,
    IReadOnlyList<VipClaim>? Vips = null,
    MoveRequest? Move = null,
    MoveAnswer? Answer = null);

/// <summary>Why a frame was dropped; each is counted.</summary>
internal enum AdvertRejection
{
    None,
    Size,
    Magic,
    Version,
    Signature,
    Malformed,
}

/// <summary>
/// The advert channel's datagram (docs/vips.md, "Advert frame"): big-endian, versioned, at most
/// <see cref="MaxLength"/> bytes (one unfragmented UDP datagram on a 1500-byte link), signed
/// with HMAC-SHA256 under <c>ClusterKey.Derive("vip-adverts")</c>. The signature is checked
/// before any field past the version is read; the body must then be consumed exactly.
/// </summary>
internal static class AdvertFrame
{
    public const int MaxLength = 1400;
    public const int MacLength = 32;
    public const byte Version = 1;
    public const int MaxName = 64;
    public const int MaxVips = 64;
    public const int MaxPenalty = 1000;
    public const int MaxRefusal = 512;

    private const byte KindAdvert = 1;
    private const byte KindMove = 2;
    private const byte KindAnswer = 3;
    private const byte Held = 1;
    private const byte Releasing = 2;
    private const byte HasYield = 4;
    private static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    /// <summary>The signed frame; throws <see cref="ArgumentException"/> when the content breaks a bound (a caller's bug or a config the validator should have refused).</summary>
    public static byte[] Encode(AdvertFrameContent c, ReadOnlySpan<byte> key)
    {
        var buffer = new byte[MaxLength];
        var w = new Writer(buffer);
        w.Byte((byte)'V');
        w.Byte((byte)'A');
        w.Byte(Version);
        w.Byte(c.Vips is not null ? KindAdvert : c.Move is not null ? KindMove : c.Answer is not null ? KindAnswer
            : throw new ArgumentException("a frame carries an advert, a move request or a move answer"));
        w.U64(c.Incarnation);
        w.U64(c.Sequence);
        w.Name(c.Sender);
        if (c.Vips is { } vips)
        {
            if (vips.Count > MaxVips)
            {
                throw new ArgumentException($"at most {MaxVips} VIPs fit an advert (got {vips.Count})");
            }

            w.Byte((byte)vips.Count);
            foreach (var v in vips)
            {
                if (v.Penalty is < 0 or > MaxPenalty || (v.YieldTo is not null && !v.Releasing))
                {
                    throw new ArgumentException($"VIP '{v.Vip}': penalty 0..{MaxPenalty}, and a yield target only while releasing");
                }

                w.Name(v.Vip);
                w.Byte((byte)((v.Held ? Held : 0) | (v.Releasing ? Releasing : 0) | (v.YieldTo is null ? 0 : HasYield)));
                w.U16((ushort)v.Penalty);
                if (v.YieldTo is { } to)
                {
                    w.Name(to);
                }
            }
        }
        else if (c.Move is { } move)
        {
            w.U64(move.Id);
            w.Name(move.Vip);
            w.Byte(move.To is null ? (byte)0 : (byte)1);
            if (move.To is { } to)
            {
                w.Name(to);
            }
        }
        else if (c.Answer is { } answer)
        {
            w.U64(answer.Id);
            var text = Strict.GetBytes(answer.Refusal ?? "");
            w.U16((ushort)Math.Min(text.Length, MaxRefusal));
            w.Bytes(text.AsSpan(0, Math.Min(text.Length, MaxRefusal)));
        }

        var length = w.At + MacLength;
        if (length > MaxLength)
        {
            throw new ArgumentException($"the frame would be {length} bytes; at most {MaxLength} fit one datagram");
        }

        HMACSHA256.HashData(key, buffer.AsSpan(0, w.At), buffer.AsSpan(w.At, MacLength));
        return buffer[..length];
    }

    /// <summary>Checks and reads one datagram; <see cref="AdvertRejection.None"/> with the content, else why not (and a detail for the log).</summary>
    public static AdvertRejection TryDecode(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> key, out AdvertFrameContent? content, out string? detail)
    {
        content = null;
        detail = null;
        if (frame.Length < 4 + 16 + 2 + MacLength || frame.Length > MaxLength)
        {
            detail = $"{frame.Length} bytes";
            return AdvertRejection.Size;
        }

        if (frame[0] != 'V' || frame[1] != 'A')
        {
            return AdvertRejection.Magic;
        }

        if (frame[2] != Version)
        {
            detail = $"version {frame[2]}, this node speaks {Version}";
            return AdvertRejection.Version;
        }

        var body = frame[..^MacLength];
        Span<byte> mac = stackalloc byte[MacLength];
        HMACSHA256.HashData(key, body, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, frame[^MacLength..]))
        {
            return AdvertRejection.Signature;
        }

        try
        {
            content = Read(body, out detail);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or DecoderFallbackException)
        {
            // Only a signed frame gets here: a peer with the key but another encoder.
            detail = e is DecoderFallbackException ? "a name is not UTF-8" : "truncated";
        }

        return content is null ? AdvertRejection.Malformed : AdvertRejection.None;
    }

    private static AdvertFrameContent? Read(ReadOnlySpan<byte> body, out string? detail)
    {
        var r = new Reader(body, 3);
        var kind = r.Byte();
        var incarnation = r.U64();
        var sequence = r.U64();
        var sender = r.Name();
        AdvertFrameContent? c = null;
        detail = null;
        if (sender is null || sequence == 0)
        {
            detail = sender is null ? "sender name" : "sequence 0";
        }
        else if (kind == KindAdvert)
        {
            c = ReadAdvert(ref r, new(sender, incarnation, sequence), out detail);
        }
        else if (kind == KindMove)
        {
            var id = r.U64();
            var vip = r.Name();
            var hasTo = r.Byte();
            var to = hasTo == 1 ? r.Name() : null;
            c = vip is null || hasTo > 1 || (hasTo == 1 && to is null) ? null : new(sender, incarnation, sequence, Move: new MoveRequest(id, vip, to));
            detail = c is null ? "move request" : null;
        }
        else if (kind == KindAnswer)
        {
            var id = r.U64();
            var length = r.U16();
            var text = length > MaxRefusal ? null : Strict.GetString(r.Bytes(length));
            c = text is null ? null : new(sender, incarnation, sequence, Answer: new MoveAnswer(id, text.Length == 0 ? null : text));
            detail = c is null ? "move answer" : null;
        }
        else
        {
            detail = $"kind {kind}";
        }

        if (c is not null && !r.AtEnd)
        {
            detail = $"{body.Length - r.At} bytes after the body";
            return null;
        }

        return c;
    }

    private static AdvertFrameContent? ReadAdvert(ref Reader r, AdvertFrameContent head, out string? detail)
    {
        var count = r.Byte();
        if (count > MaxVips)
        {
            detail = $"{count} VIPs, at most {MaxVips}";
            return null;
        }

        var vips = new List<VipClaim>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = r.Name();
            var flags = r.Byte();
            var penalty = r.U16();
            var yield = (flags & HasYield) != 0 ? r.Name() : null;
            if (name is null || !seen.Add(name) || (flags & ~(Held | Releasing | HasYield)) != 0 || penalty > MaxPenalty
                || ((flags & HasYield) != 0 && (yield is null || (flags & Releasing) == 0)))
            {
                detail = $"VIP entry {i}";
                return null;
            }

            vips.Add(new VipClaim(name, (flags & Held) != 0, penalty, (flags & Releasing) != 0, yield));
        }

        detail = null;
        return head with { Vips = vips };
    }

    /// <summary>Text without control characters, 1..<see cref="MaxName"/> UTF-8 bytes.</summary>
    private static bool ValidName(string s) => s.Length > 0 && !s.Any(char.IsControl);

    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int At { get; private set; }

        public void Byte(byte b) => _buffer[At++] = b;

        public void U16(ushort v)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[At..], v);
            At += 2;
        }

        public void U64(ulong v)
        {
            BinaryPrimitives.WriteUInt64BigEndian(_buffer[At..], v);
            At += 8;
        }

        public void Bytes(ReadOnlySpan<byte> b)
        {
            if (At + b.Length > _buffer.Length - MacLength)
            {
                throw new ArgumentException($"the frame would exceed {MaxLength} bytes");
            }

            b.CopyTo(_buffer[At..]);
            At += b.Length;
        }

        public void Name(string s)
        {
            var bytes = Strict.GetBytes(s);
            if (bytes.Length is 0 or > MaxName || !ValidName(s))
            {
                throw new ArgumentException($"'{s}' is not a name of 1..{MaxName} bytes without control characters");
            }

            Byte((byte)bytes.Length);
            Bytes(bytes);
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data, int at)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int At { get; private set; } = at;

        public readonly bool AtEnd => At == _data.Length;

        public byte Byte() => _data[At++];

        public ushort U16()
        {
            var v = BinaryPrimitives.ReadUInt16BigEndian(_data[At..]);
            At += 2;
            return v;
        }

        public ulong U64()
        {
            var v = BinaryPrimitives.ReadUInt64BigEndian(_data[At..]);
            At += 8;
            return v;
        }

        public ReadOnlySpan<byte> Bytes(int n)
        {
            var s = _data.Slice(At, n);
            At += n;
            return s;
        }

        /// <summary>A valid name, or null (the frame is then refused).</summary>
        public string? Name()
        {
            var n = Byte();
            if (n is 0 or > MaxName)
            {
                return null;
            }

            var s = Strict.GetString(Bytes(n));
            return ValidName(s) ? s : null;
        }
    }
}

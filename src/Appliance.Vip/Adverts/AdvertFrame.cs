using System.Security.Cryptography;
using System.Text;
using Appliance.Vip.Adverts.Wire;
using Google.Protobuf;

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
/// The advert channel's datagram (docs/vips.md, "Advert frame"): "VA", a version byte, the
/// protobuf <c>AdvertBody</c> (Protos/vip_advert.proto) and an HMAC-SHA256 over all of that under
/// <c>ClusterKey.Derive("vip-adverts")</c>; at most <see cref="MaxLength"/> bytes (one
/// unfragmented UDP datagram on a 1500-byte link). The signature is checked before the body is
/// parsed, so only a holder of the key reaches the parser; the body's bounds are checked after.
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
    private const int HeadLength = 3;

    /// <summary>The signed frame; throws <see cref="ArgumentException"/> when the content breaks a bound (a caller's bug or a config the validator should have refused).</summary>
    public static byte[] Encode(AdvertFrameContent c, ReadOnlySpan<byte> key)
    {
        var body = new AdvertBody { Incarnation = c.Incarnation, Sequence = c.Sequence, Sender = Checked(c.Sender, "sender") };
        if (c.Vips is { } vips)
        {
            if (vips.Count > MaxVips)
            {
                throw new ArgumentException($"at most {MaxVips} VIPs fit an advert (got {vips.Count})");
            }

            body.Stand = new Stand();
            foreach (var v in vips)
            {
                if (v.Penalty is < 0 or > MaxPenalty || (v.YieldTo is not null && !v.Releasing))
                {
                    throw new ArgumentException($"VIP '{v.Vip}': penalty 0..{MaxPenalty}, and a yield target only while releasing");
                }

                body.Stand.Vips.Add(new Claim { Vip = Checked(v.Vip, "VIP"), Held = v.Held, Penalty = (uint)v.Penalty, Releasing = v.Releasing, YieldTo = v.YieldTo is null ? "" : Checked(v.YieldTo, "yield target") });
            }
        }
        else if (c.Move is { } move)
        {
            body.Move = new Move { Id = move.Id, Vip = Checked(move.Vip, "VIP"), To = move.To is null ? "" : Checked(move.To, "move target") };
        }
        else if (c.Answer is { } answer)
        {
            var refusal = answer.Refusal ?? "";
            body.Answer = new Answer { Id = answer.Id, Refusal = refusal.Length > MaxRefusal ? refusal[..MaxRefusal] : refusal };
        }
        else
        {
            throw new ArgumentException("a frame carries an advert, a move request or a move answer");
        }

        var size = body.CalculateSize();
        var length = HeadLength + size + MacLength;
        if (length > MaxLength)
        {
            throw new ArgumentException($"the frame would be {length} bytes; at most {MaxLength} fit one datagram");
        }

        var frame = new byte[length];
        frame[0] = (byte)'V';
        frame[1] = (byte)'A';
        frame[2] = Version;
        body.WriteTo(frame.AsSpan(HeadLength, size));
        HMACSHA256.HashData(key, frame.AsSpan(0, HeadLength + size), frame.AsSpan(HeadLength + size));
        return frame;
    }

    /// <summary>Checks and reads one datagram; <see cref="AdvertRejection.None"/> with the content, else why not (and a detail for the log).</summary>
    public static AdvertRejection TryDecode(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> key, out AdvertFrameContent? content, out string? detail)
    {
        content = null;
        detail = null;
        if (frame.Length < HeadLength + MacLength || frame.Length > MaxLength)
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

        var signed = frame[..^MacLength];
        Span<byte> mac = stackalloc byte[MacLength];
        HMACSHA256.HashData(key, signed, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, frame[^MacLength..]))
        {
            return AdvertRejection.Signature;
        }

        AdvertBody body;
        try
        {
            body = AdvertBody.Parser.ParseFrom(signed[HeadLength..]);
        }
        catch (InvalidProtocolBufferException)
        {
            // Only a signed frame gets here: a peer with the key but another encoder.
            detail = "not a protobuf AdvertBody";
            return AdvertRejection.Malformed;
        }

        content = Read(body, out detail);
        return content is null ? AdvertRejection.Malformed : AdvertRejection.None;
    }

    private static AdvertFrameContent? Read(AdvertBody b, out string? detail)
    {
        detail = null;
        if (!ValidName(b.Sender) || b.Sequence == 0)
        {
            detail = b.Sequence == 0 ? "sequence 0" : "sender name";
            return null;
        }

        var head = new AdvertFrameContent(b.Sender, b.Incarnation, b.Sequence);
        switch (b.KindCase)
        {
            case AdvertBody.KindOneofCase.Stand:
                return ReadStand(b.Stand, head, out detail);
            case AdvertBody.KindOneofCase.Move when ValidName(b.Move.Vip) && (b.Move.To.Length == 0 || ValidName(b.Move.To)):
                return head with { Move = new MoveRequest(b.Move.Id, b.Move.Vip, b.Move.To.Length == 0 ? null : b.Move.To) };
            case AdvertBody.KindOneofCase.Answer when b.Answer.Refusal.Length <= MaxRefusal:
                return head with { Answer = new MoveAnswer(b.Answer.Id, b.Answer.Refusal.Length == 0 ? null : b.Answer.Refusal) };
            default:
                detail = b.KindCase == AdvertBody.KindOneofCase.None ? "no body" : $"{b.KindCase} out of bounds";
                return null;
        }
    }

    private static AdvertFrameContent? ReadStand(Stand stand, AdvertFrameContent head, out string? detail)
    {
        detail = null;
        if (stand.Vips.Count > MaxVips)
        {
            detail = $"{stand.Vips.Count} VIPs, at most {MaxVips}";
            return null;
        }

        var vips = new List<VipClaim>(stand.Vips.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < stand.Vips.Count; i++)
        {
            var v = stand.Vips[i];
            var hasYield = v.YieldTo.Length > 0;
            if (!ValidName(v.Vip) || !seen.Add(v.Vip) || v.Penalty > MaxPenalty || (hasYield && (!v.Releasing || !ValidName(v.YieldTo))))
            {
                detail = $"VIP entry {i}";
                return null;
            }

            vips.Add(new VipClaim(v.Vip, v.Held, (int)v.Penalty, v.Releasing, hasYield ? v.YieldTo : null));
        }

        return head with { Vips = vips };
    }

    /// <summary>A name on the wire: 1..<see cref="MaxName"/> UTF-8 bytes, no control characters.</summary>
    private static bool ValidName(string s) =>
        s.Length > 0 && Encoding.UTF8.GetByteCount(s) <= MaxName && !s.Any(char.IsControl);

    private static string Checked(string s, string what) =>
        ValidName(s) ? s : throw new ArgumentException($"the {what} '{s}' is not 1..{MaxName} UTF-8 bytes without control characters");
}

using System.Buffers.Binary;
using Appliance.Cluster.Transport;
using Appliance.Cluster.Wire;
using Appliance.Tests.Wire;
using static Appliance.Tests.Transport.FrameTestKit;

namespace Appliance.Tests.Transport;

/// <summary>
/// Frames for fuzzing, drawn from one seeded <see cref="Random"/> so a failure replays from its seed:
/// per ten frames, two random byte strings, five mutations of valid frames (bit flips, cuts,
/// appended bytes, changed length fields, replaced HMACs) and three frames correctly signed with
/// <see cref="FrameTestKit.Key"/> around a random or mutated payload. Shared by the decoder fuzz and
/// the fuzz of a live node's listener (tests/Appliance.Faults.Tests).
/// </summary>
internal sealed class FrameFuzzer
{
    private readonly Random _random;
    private readonly int _maxFrameSize;
    private readonly byte[][] _valid;
    private readonly (ulong Sender, byte[] Payload)[] _payloads;
    private ulong _sequence = 1_000;
    private long _index;

    public FrameFuzzer(int seed, int maxFrameSize)
    {
        Seed = seed;
        _random = new Random(seed);
        _maxFrameSize = maxFrameSize;
        var messages = Enumerable.Range(0, 300).Select(_ => WireSamples.Message(_random)).ToArray();
        _payloads = messages.Select(m => (m.From.Uid, WireCodec.Encode(m))).ToArray();
        _valid = messages.Take(200).Select((m, i) => Frame(m, sequence: (ulong)i + 1)).ToArray();
    }

    public int Seed { get; }

    /// <summary>The next frame; <c>Authentic</c> when it carries a correct HMAC (it may still be malformed).</summary>
    public (byte[] Frame, bool Authentic, int Kind) Next()
    {
        var kind = (int)(_index++ % 10);
        if (kind < 2)
        {
            return (RandomFrame(), false, kind);
        }

        if (kind < 7)
        {
            return (Mutate(_valid[_random.Next(_valid.Length)]), false, kind);
        }

        return (SignedMutatedPayload(_payloads[_random.Next(_payloads.Length)], ++_sequence), true, kind);
    }

    /// <summary>A random byte string of 0..299 bytes, half of them with a plausible length field.</summary>
    private byte[] RandomFrame()
    {
        var bytes = new byte[_random.Next(0, 300)];
        _random.NextBytes(bytes);
        if (bytes.Length >= 4 && _random.Next(2) == 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)(bytes.Length - 4)); // plausible length, random rest
        }

        return bytes;
    }

    private byte[] Mutate(byte[] valid)
    {
        var frame = (byte[])valid.Clone();
        switch (_random.Next(5))
        {
            case 0:
                for (var flips = _random.Next(1, 9); flips > 0; flips--)
                {
                    var bit = _random.Next(frame.Length * 8);
                    frame[bit / 8] ^= (byte)(1 << (bit % 8));
                }

                if (frame.AsSpan().SequenceEqual(valid))
                {
                    frame[^1] ^= 1; // flips cancelled out
                }

                return frame;
            case 1:
                return frame[.._random.Next(0, frame.Length)];
            case 2:
                var extra = new byte[_random.Next(1, 64)];
                _random.NextBytes(extra);
                return [.. frame, .. extra];
            case 3:
                var old = BinaryPrimitives.ReadUInt32BigEndian(frame);
                uint length;
                do
                {
                    length = _random.Next(4) switch
                    {
                        0 => (uint)_random.NextInt64(0, uint.MaxValue + 1L),
                        1 => old + (uint)_random.Next(-3, 4),
                        2 => (uint)_random.Next(_maxFrameSize, _maxFrameSize + 3),
                        _ => (uint)_random.Next(0, 60),
                    };
                }
                while (length == old);
                SetLength(frame, length);
                return frame;
            default:
                // Authentic header, swapped body: the right key, but the HMAC of another frame.
                var mac = frame.AsSpan(frame.Length - FrameFormat.MacSize);
                _random.NextBytes(mac);
                return frame;
        }
    }

    /// <summary>A frame signed with the right key whose payload is random, or a mutated valid payload.</summary>
    private byte[] SignedMutatedPayload((ulong Sender, byte[] Payload) valid, ulong sequence)
    {
        var payload = (byte[])valid.Payload.Clone();
        switch (_random.Next(4))
        {
            case 0:
                payload = new byte[_random.Next(0, 200)];
                _random.NextBytes(payload);
                break;
            case 1:
                payload = payload[.._random.Next(0, payload.Length + 1)];
                break;
            case 2:
                if (payload.Length > 0)
                {
                    for (var flips = _random.Next(1, 4); flips > 0; flips--)
                    {
                        var bit = _random.Next(payload.Length * 8);
                        payload[bit / 8] ^= (byte)(1 << (bit % 8));
                    }
                }

                break;
            default:
                if (payload.Length > 0)
                {
                    payload[_random.Next(payload.Length)] = (byte)_random.Next(256);
                }

                break;
        }

        return FrameCodec.Encode(Key.Span, valid.Sender, sequence, (ulong)_random.NextInt64(), payload);
    }
}

using System.Buffers.Binary;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Transport;
using Appliance.Cluster.Wire;
using Appliance.Tests.Wire;
using static Appliance.Tests.Transport.FrameTestKit;

namespace Appliance.Tests.Transport;

/// <summary>
/// Random and mutated frames through the decoder: nothing may throw, nothing unauthentic may pass,
/// and every frame must be counted exactly once. Seeded, so a failure replays.
/// </summary>
public sealed class FrameFuzzTests
{
    private const int Seed = 20_240_604;

    [Fact]
    public void DecodeFrame_HundredThousandRandomAndMutatedFrames_NoExceptionAndEveryOneCounted()
    {
        var random = new Random(Seed);
        var stats = new TransportStats();
        var decoder = Decoder(stats, maxFrameSize: 64 * 1024);
        var messages = Enumerable.Range(0, 300).Select(_ => WireSamples.Message(random)).ToArray();
        var payloads = messages.Select(m => (m.From.Uid, Payload: Appliance.Cluster.Wire.WireCodec.Encode(m))).ToArray();
        var valid = messages.Take(200).Select((m, i) => Frame(m, sequence: (ulong)i + 1)).ToArray();
        var outcomes = new Dictionary<FrameOutcome, int>();
        var sequence = 1_000UL;
        var accepted = 0;
        const int Total = 100_000;

        for (var i = 0; i < Total; i++)
        {
            var kind = i % 10;
            byte[] frame;
            var authentic = false;
            if (kind < 2)
            {
                frame = RandomFrame(random);
            }
            else if (kind < 7)
            {
                frame = Mutate(random, valid[random.Next(valid.Length)]);
            }
            else
            {
                (frame, authentic) = (SignedMutatedPayload(random, payloads[random.Next(payloads.Length)], ++sequence), true);
            }

            FrameOutcome outcome;
            InboundMessage? message;
            try
            {
                outcome = decoder.DecodeFrame(frame, out message, out var detail);
                if (outcome != FrameOutcome.Accepted && detail is null)
                {
                    Assert.Fail($"frame {i}: rejected without a reason");
                }
            }
            catch (Exception e)
            {
                Assert.Fail($"frame {i} (kind {kind}, seed {Seed}) threw {e}");
                throw;
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (outcome == FrameOutcome.Accepted)
            {
                if (!authentic)
                {
                    Assert.Fail($"frame {i} (kind {kind}) passed without the key");
                }

                AssertTrulyValid(message!);
                accepted++;
            }
        }

        Assert.Equal(Total, outcomes.Values.Sum());
        Assert.Equal(accepted, stats.FramesReceived);
        Assert.Equal(Total - accepted, stats.Rejected);
        Assert.Equal(outcomes.GetValueOrDefault(FrameOutcome.RejectedAuth), stats.RejectedAuth);
        Assert.Equal(outcomes.GetValueOrDefault(FrameOutcome.RejectedMalformed), stats.RejectedMalformed);
        Assert.Equal(outcomes.GetValueOrDefault(FrameOutcome.RejectedOversized), stats.RejectedOversized);
        Assert.Equal(outcomes.GetValueOrDefault(FrameOutcome.RejectedReplay), stats.RejectedReplay);

        // The mix must really reach every stage, or the fuzzing proves little.
        Assert.True(stats.RejectedAuth > 10_000, $"auth {stats.RejectedAuth}");
        Assert.True(stats.RejectedMalformed > 10_000, $"malformed {stats.RejectedMalformed}");
        Assert.True(stats.RejectedOversized > 1_000, $"oversized {stats.RejectedOversized}");
        Assert.True(accepted > 100, $"accepted {accepted}");
    }

    /// <summary>A re-encoding must decode to the same thing: what was accepted is a well-formed message.</summary>
    private static void AssertTrulyValid(InboundMessage inbound)
    {
        Assert.True(WireCodec.TryDecode(WireCodec.Encode(inbound.Message), out var again, out var error), error);
        Assert.Equal(WireDescription.Of(inbound.Message), WireDescription.Of(again));
    }

    private static byte[] RandomFrame(Random random)
    {
        var bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        if (bytes.Length >= 4 && random.Next(2) == 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)(bytes.Length - 4)); // plausible length, random rest
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] valid)
    {
        var frame = (byte[])valid.Clone();
        switch (random.Next(5))
        {
            case 0:
                for (var flips = random.Next(1, 9); flips > 0; flips--)
                {
                    var bit = random.Next(frame.Length * 8);
                    frame[bit / 8] ^= (byte)(1 << (bit % 8));
                }

                if (frame.AsSpan().SequenceEqual(valid))
                {
                    frame[^1] ^= 1; // flips cancelled out
                }

                return frame;
            case 1:
                return frame[..random.Next(0, frame.Length)];
            case 2:
                var extra = new byte[random.Next(1, 64)];
                random.NextBytes(extra);
                return [.. frame, .. extra];
            case 3:
                var old = BinaryPrimitives.ReadUInt32BigEndian(frame);
                uint length;
                do
                {
                    length = random.Next(4) switch
                    {
                        0 => (uint)random.NextInt64(0, uint.MaxValue + 1L),
                        1 => old + (uint)random.Next(-3, 4),
                        2 => (uint)random.Next(64 * 1024, 64 * 1024 + 3),
                        _ => (uint)random.Next(0, 60),
                    };
                }
                while (length == old);
                SetLength(frame, length);
                return frame;
            default:
                // Authentic header, swapped body: the right key, but the HMAC of another frame.
                var mac = frame.AsSpan(frame.Length - 32);
                random.NextBytes(mac);
                return frame;
        }
    }

    /// <summary>A frame signed with the right key whose payload is random, or a mutated valid payload.</summary>
    private static byte[] SignedMutatedPayload(Random random, (ulong Sender, byte[] Payload) valid, ulong sequence)
    {
        var payload = (byte[])valid.Payload.Clone();
        switch (random.Next(4))
        {
            case 0:
                payload = new byte[random.Next(0, 200)];
                random.NextBytes(payload);
                break;
            case 1:
                payload = payload[..random.Next(0, payload.Length + 1)];
                break;
            case 2:
                if (payload.Length > 0)
                {
                    for (var flips = random.Next(1, 4); flips > 0; flips--)
                    {
                        var bit = random.Next(payload.Length * 8);
                        payload[bit / 8] ^= (byte)(1 << (bit % 8));
                    }
                }

                break;
            default:
                if (payload.Length > 0)
                {
                    payload[random.Next(payload.Length)] = (byte)random.Next(256);
                }

                break;
        }

        return FrameCodec.Encode(Key.Span, valid.Sender, sequence, (ulong)random.NextInt64(), payload);
    }
}

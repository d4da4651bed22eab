using Appliance.Cluster.Transport;
using Appliance.Cluster.Wire;
using Appliance.Tests.Wire;
using static Appliance.Tests.Transport.FrameTestKit;

namespace Appliance.Tests.Transport;

/// <summary>
/// Runs <see cref="FrameFuzzer"/> frames through a <see cref="FrameDecoder"/> and checks the laws:
/// nothing throws, nothing without the key passes, what passes re-encodes to itself, every frame is
/// counted exactly once under its outcome, and the mix reaches every stage of the decoder.
/// </summary>
internal static class DecoderFuzz
{
    public sealed record Summary(int Seed, int Total, int Accepted, long Auth, long Malformed, long Oversized, long Replay);

    public static Summary RunAndCheck(int seed, int total)
    {
        var stats = new TransportStats();
        var decoder = Decoder(stats, maxFrameSize: 64 * 1024);
        var fuzzer = new FrameFuzzer(seed, maxFrameSize: 64 * 1024);
        var outcomes = new Dictionary<FrameOutcome, int>();
        var accepted = 0;

        for (var i = 0; i < total; i++)
        {
            var (frame, authentic, kind) = fuzzer.Next();
            FrameOutcome outcome;
            InboundMessage? message;
            try
            {
                outcome = decoder.DecodeFrame(frame, out message, out var detail);
                if (outcome != FrameOutcome.Accepted && detail is null)
                {
                    Assert.Fail($"frame {i} (seed {seed}): rejected without a reason");
                }
            }
            catch (Exception e)
            {
                Assert.Fail($"frame {i} (kind {kind}, seed {seed}) threw {e}");
                throw;
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (outcome == FrameOutcome.Accepted)
            {
                if (!authentic)
                {
                    Assert.Fail($"frame {i} (kind {kind}, seed {seed}) passed without the key");
                }

                AssertTrulyValid(message!);
                accepted++;
            }
        }

        Assert.Equal(total, outcomes.Values.Sum());
        Assert.Equal(accepted, stats.FramesReceived);
        Assert.Equal(total - accepted, stats.Rejected);
        Assert.Equal(outcomes.GetValueOrDefault(FrameOutcome.RejectedAuth), stats.RejectedAuth);
        Assert.Equal(outcomes.GetValueOrDefault(FrameOutcome.RejectedMalformed), stats.RejectedMalformed);
        Assert.Equal(outcomes.GetValueOrDefault(FrameOutcome.RejectedOversized), stats.RejectedOversized);
        Assert.Equal(outcomes.GetValueOrDefault(FrameOutcome.RejectedReplay), stats.RejectedReplay);

        // The mix must really reach every stage, or the fuzzing proves little (bounds for 100,000 frames, scaled).
        var scale = total / 100_000.0;
        Assert.True(stats.RejectedAuth > 10_000 * scale, $"auth {stats.RejectedAuth} (seed {seed})");
        Assert.True(stats.RejectedMalformed > 10_000 * scale, $"malformed {stats.RejectedMalformed} (seed {seed})");
        Assert.True(stats.RejectedOversized > 1_000 * scale, $"oversized {stats.RejectedOversized} (seed {seed})");
        Assert.True(accepted > 100 * scale, $"accepted {accepted} (seed {seed})");
        return new Summary(seed, total, accepted, stats.RejectedAuth, stats.RejectedMalformed, stats.RejectedOversized, stats.RejectedReplay);
    }

    /// <summary>A re-encoding must decode to the same thing: what was accepted is a well-formed message.</summary>
    private static void AssertTrulyValid(InboundMessage inbound)
    {
        Assert.True(WireCodec.TryDecode(WireCodec.Encode(inbound.Message), out var again, out var error), error);
        Assert.Equal(WireDescription.Of(inbound.Message), WireDescription.Of(again));
    }
}

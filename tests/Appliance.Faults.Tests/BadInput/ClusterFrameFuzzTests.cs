using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Transport;
using Appliance.Tests.Cluster;
using Appliance.Tests.Support;
using Appliance.Tests.Transport;
using Xunit.Abstractions;

namespace Appliance.Tests.BadInput;

/// <summary>
/// Random and mutated cluster frames (<see cref="FrameFuzzer"/>): 100,000 through the decoder from a
/// fresh random seed each run (the fixed-seed run is tests/Appliance.Cluster.Tests/Transport/FrameFuzzTests.cs),
/// and a bounded number through the cluster listener of a real node, which must reject and count every
/// one and change nothing. The seed is printed; <c>APPLIANCE_FUZZ_SEED=n</c> replays a run.
/// </summary>
[Trait("Category", "Faults")]
public sealed class ClusterFrameFuzzTests(ITestOutputHelper output)
{
    private const int MaxFrameSize = 64 * 1024;

    private int Seed()
    {
        var seed = Environment.GetEnvironmentVariable("APPLIANCE_FUZZ_SEED") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"fuzz seed {seed} (replay with APPLIANCE_FUZZ_SEED={seed})");
        return seed;
    }

    [Fact]
    public void Decoder_HundredThousandFramesFromARandomSeed_NoneThrowsNoneForgedPassesEachCounted()
    {
        var seed = Seed();
        var started = Stopwatch.StartNew();

        var summary = DecoderFuzz.RunAndCheck(seed, 100_000);

        Figures.Record(output, "fuzz decoder", "frames (seed " + seed + ")", summary.Total, "frames");
        Figures.Record(output, "fuzz decoder", "frames per second", summary.Total / started.Elapsed.TotalSeconds, "frames/s");
        Figures.Record(output, "fuzz decoder", "accepted (correctly signed, well-formed)", summary.Accepted, "frames");
    }

    [Fact]
    public async Task LiveListener_FuzzedFrames_EveryOneRejectedAndCounted_MembershipUnchanged()
    {
        var seed = Seed();
        var count = FaultFactAttribute.Enabled ? 20_000 : 2_000;
        using var nodes = new ClusterNodes(1, ClusterWire.KeyBase64)
        {
            Customize = (_, config) => config["Cluster"]!["MaxFrameSize"] = MaxFrameSize,
        };
        nodes.StartAll();
        await nodes[0].WaitForOutputAsync("this node joined", 30_000);
        var port = int.Parse(nodes.ClusterAddress(0).Split(':')[1], CultureInfo.InvariantCulture);
        using var admin = new HttpClient { BaseAddress = nodes.AdminUrl(0), Timeout = TimeSpan.FromSeconds(30) };
        var before = await ClusterReadings.ReadAsync(admin);

        var frames = Prepare(new FrameFuzzer(seed, MaxFrameSize), count);
        var started = Stopwatch.StartNew();
        var stillOpen = 0;
        await Parallel.ForEachAsync(frames, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (frame, _) =>
        {
            if (!await ClusterWire.SendAndSeeClosedAsync(port, frame, TimeSpan.FromSeconds(20)))
            {
                Interlocked.Increment(ref stillOpen);
            }
        });
        var elapsed = started.Elapsed;

        Assert.Equal(0, stillOpen); // each frame was refused, and its connection closed
        var after = await ClusterReadings.WaitForRejectedAsync(admin, before.Rejected + count);
        await Task.Delay(500);
        after = await ClusterReadings.ReadAsync(admin);
        Figures.Record(output, "fuzz live listener", "frames sent (seed " + seed + ")", count, "frames");
        Figures.Record(output, "fuzz live listener", "frames per second", count / elapsed.TotalSeconds, "frames/s");
        Figures.Record(output, "fuzz live listener", "rejected: auth", after.Auth - before.Auth, "frames");
        Figures.Record(output, "fuzz live listener", "rejected: malformed", after.Malformed - before.Malformed, "frames");
        Figures.Record(output, "fuzz live listener", "rejected: oversized", after.Oversized - before.Oversized, "frames");

        Assert.Equal(before.Rejected + count, after.Rejected); // every one counted, once
        Assert.Equal(before.Received, after.Received);         // none got through
        Assert.Equal(before.Members, after.Members);           // the same single member, the same incarnation
        Assert.Equal(1, after.Incarnations);
        Assert.Contains("Rejected a cluster frame", nodes[0].Output, StringComparison.Ordinal);

        // The listener still takes a genuine frame afterwards.
        var probe = ClusterWire.Frame(new InitJoin(new UniqueAddress(new NodeAddress("127.0.0.1", 9), 0x5EED), null), sequence: 1);
        Assert.False(await ClusterWire.SendAndSeeClosedAsync(port, probe, TimeSpan.FromSeconds(1)));
        await ClusterReadings.WaitForAsync(admin, r => r.Received == before.Received + 1, "the genuine frame is received");
    }

    /// <summary>
    /// Fuzzed frames cut to what the node judges as exactly one frame: its length field decides how
    /// many bytes it reads, so a frame announcing more than is there is padded (a frame cut short is
    /// only a closed connection, not a rejection). Frames a decoder with the key would accept are
    /// left out: they are valid messages, which the live test must not send.
    /// </summary>
    private static List<byte[]> Prepare(FrameFuzzer fuzzer, int count)
    {
        var padding = new Random(fuzzer.Seed);
        var frames = new List<byte[]>(count);
        while (frames.Count < count)
        {
            var (frame, _, _) = fuzzer.Next();
            if (frame.Length < FrameFormat.LengthSize)
            {
                continue;
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(frame);
            if (length >= FrameFormat.MinBodyLength && length <= MaxFrameSize)
            {
                var whole = FrameFormat.LengthSize + (int)length;
                if (frame.Length < whole)
                {
                    var padded = new byte[whole];
                    frame.CopyTo(padded, 0);
                    padding.NextBytes(padded.AsSpan(frame.Length));
                    frame = padded;
                }

                // A fresh replay window each time: the node's stays empty, since it accepts none of these.
                var decoder = new FrameDecoder(FrameTestKit.Key, MaxFrameSize, new ReplayWindow(), new TransportStats());
                if (decoder.DecodeFrame(frame.AsSpan(0, whole), out _, out _) == FrameOutcome.Accepted)
                {
                    continue;
                }
            }

            frames.Add(frame);
        }

        return frames;
    }
}

namespace Appliance.Tests.Transport;

/// <summary>
/// Random and mutated frames through the decoder (<see cref="DecoderFuzz"/>): nothing may throw,
/// nothing unauthentic may pass, and every frame must be counted exactly once. A fixed seed, so a
/// failure replays; the fault suite (tests/Appliance.Faults.Tests) runs the same with a random seed
/// each time, and against a live node's listener.
/// </summary>
public sealed class FrameFuzzTests
{
    private const int Seed = 20_240_604;

    [Fact]
    public void DecodeFrame_HundredThousandRandomAndMutatedFrames_NoExceptionAndEveryOneCounted() =>
        DecoderFuzz.RunAndCheck(Seed, 100_000);
}

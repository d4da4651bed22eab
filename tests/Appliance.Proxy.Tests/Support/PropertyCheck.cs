using FsCheck;
using Microsoft.FSharp.Core;

namespace Appliance.Tests.Support;

/// <summary>Runs FsCheck properties from xunit facts, replayably: a fixed seed keeps runs deterministic.</summary>
internal static class PropertyCheck
{
    private static readonly Config Deterministic = Config.QuickThrowOnFailure
        .WithMaxTest(200)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(0x5EED_0001UL, 0x9E37_79B9_7F4A_7C15UL), FSharpOption<int>.None)));

    public static void Run(Property property) => Check.One(Deterministic, property);
}

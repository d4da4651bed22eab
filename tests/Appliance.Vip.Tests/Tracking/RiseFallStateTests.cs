using Appliance.Vip.Tracking;

namespace Appliance.Tests.Tracking;

public sealed class RiseFallStateTests
{
    private static RiseFallState Run(RiseFallState s, params bool[] results)
    {
        foreach (var r in results)
        {
            s = s.Observe(r, rise: 2, fall: 3);
        }

        return s;
    }

    [Fact]
    public void Observe_FewerFailuresThanFall_StaysHealthy() =>
        Assert.True(Run(RiseFallState.Initial, false, false).Healthy);

    [Fact]
    public void Observe_FallConsecutiveFailures_TurnsFailed() =>
        Assert.False(Run(RiseFallState.Initial, false, false, false).Healthy);

    [Fact]
    public void Observe_SuccessBetweenFailures_ResetsTheStreak() =>
        Assert.True(Run(RiseFallState.Initial, false, false, true, false, false).Healthy);

    [Fact]
    public void Observe_RiseSuccessesAfterFailure_TurnsHealthyAgain()
    {
        var failed = Run(RiseFallState.Initial, false, false, false);

        Assert.False(Run(failed, true).Healthy);
        Assert.True(Run(failed, true, true).Healthy);
    }
}

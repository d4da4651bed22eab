namespace Appliance.Vip.Tracking;

/// <summary>
/// keepalived's rise/fall for a track script: the result flips to failed after <c>fall</c>
/// consecutive failures and back to healthy after <c>rise</c> consecutive successes, so one
/// flaky run does not move a VIP. Immutable; <see cref="Observe"/> returns the next state.
/// </summary>
internal readonly record struct RiseFallState(bool Healthy, int Streak)
{
    /// <summary>A check starts healthy, so a node does not give its VIPs up before the first run.</summary>
    public static RiseFallState Initial => new(true, 0);

    /// <summary>The state after one run that succeeded (<paramref name="ok"/>) or not (a timeout counts as a failure).</summary>
    public RiseFallState Observe(bool ok, int rise, int fall)
    {
        if (ok == Healthy)
        {
            return this with { Streak = 0 };
        }

        var streak = Streak + 1;
        return streak >= (ok ? rise : fall) ? new(ok, 0) : this with { Streak = streak };
    }
}

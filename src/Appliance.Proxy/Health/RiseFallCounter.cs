namespace Appliance.Proxy.Health;

/// <summary>What a run of probe results says of a backend.</summary>
internal enum ProbeVerdict
{
    Unknown,
    Healthy,
    Unhealthy,
}

/// <summary>
/// HAProxy's rise/fall rule as a pure value: an up backend goes down after <c>fall</c> bad probes
/// in a row, a down one comes up after <c>rise</c> good ones. A backend never yet judged comes up
/// on its first good probe (it is serving already) and goes down after <c>fall</c> bad ones.
/// </summary>
internal readonly record struct RiseFallCounter(ProbeVerdict Verdict, int GoodInARow, int BadInARow)
{
    public static readonly RiseFallCounter Initial = new(ProbeVerdict.Unknown, 0, 0);

    public RiseFallCounter Next(bool good, int rise, int fall)
    {
        if (good)
        {
            var goods = GoodInARow + 1;
            var up = Verdict == ProbeVerdict.Healthy
                || Verdict == ProbeVerdict.Unknown
                || goods >= rise;
            return new(up ? ProbeVerdict.Healthy : Verdict, goods, 0);
        }

        var bads = BadInARow + 1;
        return new(bads >= fall ? ProbeVerdict.Unhealthy : Verdict, 0, bads);
    }
}

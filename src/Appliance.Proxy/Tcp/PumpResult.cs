namespace Appliance.Proxy.Tcp;

/// <summary>How a proxied connection ended, per direction, and how many bytes went each way.</summary>
internal readonly record struct PumpResult(PumpOutcome Upstream, PumpOutcome Downstream, long BytesUp, long BytesDown)
{
    /// <summary>True when either direction ended in a reset.</summary>
    public bool WasReset => Upstream == PumpOutcome.Reset || Downstream == PumpOutcome.Reset;
}

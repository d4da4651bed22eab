namespace Appliance.Proxy.Tcp;

/// <summary>How one direction of a proxied connection ended.</summary>
internal enum PumpOutcome
{
    /// <summary>The sender finished (FIN) and the half-close was passed on.</summary>
    Finished,

    /// <summary>A receive or send failed (reset, or the connection was closed under it); both ends were aborted.</summary>
    Reset,
}

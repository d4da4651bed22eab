namespace Appliance.Proxy.Tcp;

/// <summary>What a backend selection came to.</summary>
internal enum TcpSelectionOutcome
{
    /// <summary>A backend was chosen and one of its connection slots taken.</summary>
    Picked,

    /// <summary>Backends are eligible but all are at their MaxConnections: wait in the pool's queue.</summary>
    AllFull,

    /// <summary>No backend may take this connection (down, maint, drain, weight 0, or all tried already).</summary>
    NoneAvailable,
}

namespace Appliance.Proxy.Tcp;

/// <summary>
/// The result of <see cref="TcpBackendSelector.Select"/>: the chosen backend (its slot already taken)
/// when <see cref="Outcome"/> is <see cref="TcpSelectionOutcome.Picked"/>, and whether a sticky pin chose it.
/// </summary>
internal readonly record struct TcpSelection(TcpSelectionOutcome Outcome, TcpBackendRuntime? Backend, bool FromPin)
{
    public static readonly TcpSelection Full = new(TcpSelectionOutcome.AllFull, null, false);

    public static readonly TcpSelection None = new(TcpSelectionOutcome.NoneAvailable, null, false);
}

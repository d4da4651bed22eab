using System.Runtime.InteropServices;

namespace Appliance.Tests.Support.Degraded;

/// <summary>
/// Puts the calling thread under SCHED_FIFO, so the packet delayer releases packets on time on a
/// busy machine (at a load of 20 on two cores an ordinary thread waits hundreds of milliseconds
/// for a core, and every wait would be added to the links' delay). Its work per packet is tiny, so
/// it takes little from everything else. Needs root (CAP_SYS_NICE); without it the thread stays
/// as it was and the delayer's lateness figures say what that cost.
/// </summary>
internal static partial class RealtimeScheduling
{
    private const int SchedFifo = 1;

    /// <summary>True when the calling thread now runs under SCHED_FIFO at <paramref name="priority"/> (1-99).</summary>
    public static bool TryEnter(int priority)
    {
        ReadOnlySpan<int> param = [priority];
        return OperatingSystem.IsLinux() && SchedSetScheduler(0, SchedFifo, param) == 0;
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, ReadOnlySpan<int> param);
}

using System.Diagnostics;
using System.Globalization;
using Appliance.Core.State;
using Appliance.Management.Sources;

namespace Appliance.Node.Management;

/// <summary>
/// Benchmark-only (<c>APPLIANCE_DIAGNOSTICS=1</c>): writes synthetic sessions
/// <c>bench/{run}/{n:x8}</c> pinned round robin to three backend names into the node's session
/// table, paced on a thread of its own. One run at a time.
/// </summary>
internal sealed class SessionInjector(ISessionStore store, TimeProvider time) : ISessionInjector
{
    private static readonly string[] Backends = ["web/backend-1", "web/backend-2", "web/backend-3"];
    private int _running;
    private int _run;

    public string? Start(int count, int perSecond)
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            return "an injection is still running; wait for it to finish.";
        }

        var run = Interlocked.Increment(ref _run).ToString(CultureInfo.InvariantCulture);
        var thread = new Thread(() => Inject(run, count, perSecond)) { IsBackground = true, Name = "session-injector" };
        thread.Start();
        return null;
    }

    private void Inject(string run, int count, int perSecond)
    {
        try
        {
            var clock = Stopwatch.StartNew();
            var idle = TimeSpan.FromHours(1);
            for (var n = 0; n < count;)
            {
                var due = perSecond == 0 ? count : (int)Math.Min(count, clock.ElapsedMilliseconds * perSecond / 1000 + 1);
                for (; n < due; n++)
                {
                    store.Put($"bench/{run}/{n:x8}", Backends[n % Backends.Length], idle, time.GetUtcNow());
                }

                if (n < count)
                {
                    Thread.Sleep(1);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }
}

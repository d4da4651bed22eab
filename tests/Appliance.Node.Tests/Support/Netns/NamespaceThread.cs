using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Appliance.Tests.Support.Netns;

/// <summary>
/// A thread that lives inside one network namespace (setns applies to the calling thread only).
/// Sockets made on it belong to that namespace for good, whichever thread uses them later, so a
/// test process can run real HttpClients and Kestrel backends "inside" several namespaces at once.
/// </summary>
internal sealed class NamespaceThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NamespaceThread(string netns)
    {
        _thread = new Thread(() => Run(netns)) { IsBackground = true, Name = "netns " + netns };
        _thread.Start();
        _entered.Task.GetAwaiter().GetResult();
    }

    /// <summary>Runs <paramref name="work"/> inside the namespace and returns its result (or throws its exception).</summary>
    public T Invoke<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task.GetAwaiter().GetResult();
    }

    private void Run(string netns)
    {
        try
        {
            using var handle = File.OpenHandle($"/var/run/netns/{netns}");
            if (NetnsNative.SetNs((int)handle.DangerousGetHandle(), NetnsNative.CloneNewNet) != 0)
            {
                throw new IOException($"setns({netns}) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        catch (Exception e)
        {
            _entered.SetException(e);
            return;
        }

        _entered.SetResult();
        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
        _work.Dispose();
    }
}

using Appliance.Proxy.Model;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// A listener's connection limit: a lock-free count of open connections, and the bounded queue
/// (the same <see cref="SlotQueue"/> HTTP uses) where accepted connections wait while it is full.
/// </summary>
internal sealed class ConnectionSlots
{
    private int _active;

    public SlotQueue Queue { get; } = new();

    /// <summary>Connections holding a slot now.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>Takes a slot unless <paramref name="max"/> are taken; 0 or less means no limit.</summary>
    public bool TryAcquire(int max)
    {
        if (max <= 0)
        {
            Interlocked.Increment(ref _active);
            return true;
        }

        while (true)
        {
            var current = Volatile.Read(ref _active);
            if (current >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _active, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        Interlocked.Decrement(ref _active);
        if (Queue.Waiting > 0)
        {
            Queue.Signal();
        }
    }
}


namespace Appliance.Replication.Sessions;

/// <summary>This node's hybrid logical clock, shared by every replicated table and safe across threads.</summary>
internal sealed class HlcSource(ulong node)
{
    private readonly Lock _lock = new();
    private Hlc _last = Hlc.Zero;

    public ulong Node => node;

    /// <summary>A fresh timestamp for a local write at wall time <paramref name="nowMs"/>.</summary>
    public Hlc Next(long nowMs)
    {
        lock (_lock)
        {
            _last = Hlc.Tick(_last, nowMs, node);
            return _last;
        }
    }

    /// <summary>Moves the clock past a timestamp received from a peer.</summary>
    public void Observe(Hlc remote, long nowMs)
    {
        lock (_lock)
        {
            if (remote > _last)
            {
                _last = Hlc.Receive(_last, remote, nowMs, node);
            }
        }
    }
}

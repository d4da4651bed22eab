using System.Buffers;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// Copies bytes both ways between a client and a backend until both have finished. Each direction
/// waits for data with a zero-byte receive and only then rents a buffer from the shared pool, so an
/// idle connection holds none; a full buffer means more is likely waiting, so it is kept for the next
/// read, and a partial one goes back. A FIN is passed on as a half-close (the other direction keeps
/// flowing); any failure resets both ends, which is how a reset travels through.
/// </summary>
internal static class TcpPump
{
    /// <summary>Size of one pooled copy buffer; as large as a loopback segment, so bulk transfers need few system calls.</summary>
    public const int BufferSize = 64 * 1024;

    public static async Task<PumpResult> RunAsync(ITcpEnd client, ITcpEnd backend, ActivityClock clock)
    {
        var up = CopyAsync(client, backend, clock);
        var down = CopyAsync(backend, client, clock);
        var (upstream, bytesUp) = await up.ConfigureAwait(false);
        var (downstream, bytesDown) = await down.ConfigureAwait(false);
        return new PumpResult(upstream, downstream, bytesUp, bytesDown);
    }

    /// <summary>One direction: from <paramref name="source"/> to <paramref name="target"/>.</summary>
    internal static async Task<(PumpOutcome Outcome, long Bytes)> CopyAsync(ITcpEnd source, ITcpEnd target, ActivityClock clock)
    {
        byte[]? buffer = null;
        long total = 0;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    await source.ReceiveAsync(Memory<byte>.Empty).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                }

                var read = await source.ReceiveAsync(buffer).ConfigureAwait(false);
                if (read == 0)
                {
                    target.ShutdownSend();
                    return (PumpOutcome.Finished, total);
                }

                clock.Touch();
                await target.SendAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                total += read;
                if (read < buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }
        }
#pragma warning disable CA1031 // any failure of either side (reset, closed under us, broken pipe) means the same: reset both
        catch (Exception)
#pragma warning restore CA1031
        {
            source.Abort();
            target.Abort();
            return (PumpOutcome.Reset, total);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}

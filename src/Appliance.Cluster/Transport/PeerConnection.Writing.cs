using System.Buffers;
using System.Net.Sockets;
using Appliance.Cluster.Replication.Messages;
using Appliance.Cluster.Wire;

namespace Appliance.Cluster.Transport;

/// <summary>The writing half of <see cref="PeerConnection"/>: frames queued messages in batches onto one socket.</summary>
internal sealed partial class PeerConnection
{
    private const int MaxFramesPerWrite = 64;
    private const int TargetBytesPerWrite = 256 * 1024;

    /// <summary>Writes until the connection fails, the peer closes it, or the transport stops. Returns why it ended.</summary>
    private async Task<string> PumpAsync(Socket socket)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var stream = new NetworkStream(socket, ownsSocket: true);
        await using (stream.ConfigureAwait(false))
        {
            var watcher = WatchForCloseAsync(stream, connection);
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            var sizes = new int[MaxFramesPerWrite];
            try
            {
                while (await _queue.WaitToReadAsync(connection.Token).ConfigureAwait(false))
                {
                    var (length, frames, replicaBytes) = FrameBatch(ref buffer, sizes);
                    if (frames == 0)
                    {
                        continue;
                    }

                    using var timeout = new CancellationTokenSource(_context.Options.WriteTimeout, _context.Time);
                    using var write = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, connection.Token);
                    await stream.WriteAsync(buffer.AsMemory(0, length), write.Token).ConfigureAwait(false);
                    for (var i = 0; i < frames; i++)
                    {
                        _context.Stats.Sent(sizes[i]);
                    }

                    _context.Stats.ReplicaSent(replicaBytes);
                }

                return "transport stopping";
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return "transport stopping";
            }
            catch (OperationCanceledException)
            {
                return watcher.IsCompleted ? "closed by the peer" : $"peer accepted no data for {_context.Options.WriteTimeout.TotalMilliseconds} ms";
            }
            catch (IOException e)
            {
                return e.Message;
            }
            catch (SocketException e)
            {
                return e.Message;
            }
            finally
            {
                await connection.CancelAsync().ConfigureAwait(false);
                await watcher.ConfigureAwait(false);
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Frames queued messages into <paramref name="buffer"/> (grown from the pool when needed).</summary>
    private (int Length, int Frames, long ReplicaBytes) FrameBatch(ref byte[] buffer, int[] sizes)
    {
        var length = 0;
        var frames = 0;
        var replicaBytes = 0L;
        while (frames < MaxFramesPerWrite && length < TargetBytesPerWrite && _queue.TryDequeue(out var item))
        {
            Wire.Proto.Envelope envelope;
            try
            {
                envelope = WireCodec.ToEnvelope(item.Message);
            }
            catch (ArgumentException e)
            {
                // A message the node built but cannot encode (say, a status outside the enum) is a
                // bug: report it, drop that message, keep the connection.
                _context.Stats.Drop();
                TransportLog.Unexpected(_context.Logger, e, "encoding a message to " + _address);
                continue;
            }

            var payloadLength = envelope.CalculateSize();
            var frameLength = FrameFormat.FrameLength(payloadLength);
            if (frameLength - FrameFormat.LengthSize > _context.Options.MaxFrameSize)
            {
                _context.Stats.Drop();
                TransportLog.MessageTooLarge(_context.Logger, item.Message.GetType().Name, _address.ToString(), frameLength, _context.Options.MaxFrameSize);
                continue;
            }

            if (buffer.Length - length < frameLength)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, length + frameLength));
                buffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }

            length += FrameCodec.Write(buffer.AsSpan(length), _context.Key.Span, item.Message.From.Uid, _context.NextSequence(), item.ToUid, envelope, payloadLength);
            sizes[frames++] = frameLength;
            if (ReplicaMessages.Is(item.Message))
            {
                replicaBytes += frameLength;
            }
        }

        return (length, frames, replicaBytes);
    }

    /// <summary>The peer never writes on our connection: a read that ends means it closed (or broke) the connection.</summary>
    private static async Task WatchForCloseAsync(NetworkStream stream, CancellationTokenSource connection)
    {
        var one = new byte[1];
        try
        {
            await stream.ReadAsync(one, connection.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            await connection.CancelAsync().ConfigureAwait(false);
        }
    }
}

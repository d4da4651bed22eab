using System.Buffers;
using System.Net.Sockets;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// Reads a PROXY header from a trusted front's connection within the header timeout. The client's
/// first bytes may arrive in the same segment; they are handed back (in a pooled buffer) to be sent
/// to the backend first.
/// </summary>
internal static class ProxyHeaderReader
{
    /// <summary>The header and any bytes after it; <see cref="Leftover"/> must be returned to the shared pool by the caller.</summary>
    internal readonly record struct Result(ProxyParseStatus Status, ProxyHeader Header, byte[]? Leftover, int LeftoverLength);

    public static async Task<Result> ReadAsync(Socket socket, TimeSpan timeout, CancellationToken stop)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ProxyHeaderParser.MaxHeaderLength);
        var filled = 0;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                filled += read;
                var status = ProxyHeaderParser.TryParse(buffer.AsSpan(0, filled), out var header, out var length);
                if (status == ProxyParseStatus.Done)
                {
                    var leftover = filled - length;
                    buffer.AsSpan(length, leftover).CopyTo(buffer);
                    var result = new Result(status, header, leftover > 0 ? buffer : null, leftover);
                    if (leftover == 0)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    buffer = null;
                    return result;
                }

                if (status == ProxyParseStatus.Invalid || filled == buffer.Length)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            stop.ThrowIfCancellationRequested();
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        return new Result(ProxyParseStatus.Invalid, default, null, 0);
    }
}

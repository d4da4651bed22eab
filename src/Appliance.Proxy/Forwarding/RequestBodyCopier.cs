using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Appliance.Proxy.Forwarding;

/// <summary>
/// Sends the client's request body to the backend as Kestrel hands it over (already de-chunked and
/// length-checked): as is under Content-Length, or re-chunked when the length is not known.
/// </summary>
internal static class RequestBodyCopier
{
    public readonly record struct Result(ForwarderError Error, Exception? Exception);

    public static async ValueTask<Result> CopyAsync(PipeReader body, BackendConnection connection, OutgoingRequest request, CancellationToken clientAborted)
    {
        var chunked = request.BodyFraming == RequestBodyFraming.Chunked;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await body.ReadAsync(clientAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Kestrel throws BadHttpRequestException for a body that breaks its framing, IOException when the client resets.
                return new Result(clientAborted.IsCancellationRequested ? ForwarderError.RequestCanceled : ForwarderError.RequestBodyClient, e);
            }

            try
            {
                foreach (var segment in read.Buffer)
                {
                    if (segment.IsEmpty)
                    {
                        continue;
                    }

                    if (chunked)
                    {
                        await SendChunkHeaderAsync(connection, segment.Length).ConfigureAwait(false);
                    }

                    await connection.SendAsync(segment).ConfigureAwait(false);
                    if (chunked)
                    {
                        await connection.SendAsync(CrLf).ConfigureAwait(false);
                    }
                }

                body.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted || read.IsCanceled)
                {
                    if (chunked)
                    {
                        await connection.SendAsync(LastChunk).ConfigureAwait(false);
                    }

                    return new Result(ForwarderError.None, null);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                return new Result(ForwarderError.RequestBodyDestination, e);
            }
        }
    }

    private static readonly byte[] CrLf = "\r\n"u8.ToArray();
    private static readonly byte[] LastChunk = "0\r\n\r\n"u8.ToArray();

    /// <summary>The chunk-size line, written in the head buffer (the head has been sent by now).</summary>
    private static ValueTask SendChunkHeaderAsync(BackendConnection connection, int length)
    {
        var line = connection.Head;
        line.Clear();
        line.AppendHex(length);
        line.Append("\r\n"u8);
        return connection.SendAsync(line.Written);
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;

namespace Appliance.Proxy.Forwarding;

/// <summary>
/// Copies a response body from the backend connection to the client's response writer, as the
/// backend framed it. Bytes already read with the head go first; then reads go straight into the
/// writer's memory where the framing allows (Content-Length, until-close) and through the chunked
/// decoder otherwise. A body that fits in what was read with the head is written without a flush:
/// Kestrel sends it with the end of the response.
/// </summary>
internal static class ResponseBodyCopier
{
    /// <param name="Complete">The body ended where its framing said, so the connection is positioned at the next response.</param>
    public readonly record struct Result(ForwarderError Error, Exception? Exception, bool Complete);

    public static ValueTask<Result> CopyAsync(BackendConnection connection, ResponseHead head, PipeWriter client, TimeSpan activityTimeout) =>
        head.Framing switch
        {
            BodyFraming.None => ValueTask.FromResult(new Result(ForwarderError.None, null, true)),
            BodyFraming.ContentLength => CopyLengthAsync(connection, head.ContentLength, client, activityTimeout),
            BodyFraming.Chunked => CopyChunkedAsync(connection, client, activityTimeout),
            _ => CopyUntilCloseAsync(connection, client, activityTimeout),
        };

    private static async ValueTask<Result> CopyLengthAsync(BackendConnection connection, long length, PipeWriter client, TimeSpan activityTimeout)
    {
        var buffered = connection.Buffered;
        var first = (int)Math.Min(buffered.Length, length);
        if (first > 0)
        {
            client.Write(buffered[..first]);
            connection.Consume(first);
        }

        var remaining = length - first;
        if (remaining == 0)
        {
            return new Result(ForwarderError.None, null, true);
        }

        while (remaining > 0)
        {
            var flushed = await FlushAsync(client).ConfigureAwait(false);
            if (flushed is { } clientGone)
            {
                return clientGone;
            }

            var memory = client.GetMemory(16 * 1024);
            if (memory.Length > remaining)
            {
                memory = memory[..(int)remaining];
            }

            var (read, failed) = await ReceiveAsync(connection, memory, activityTimeout).ConfigureAwait(false);
            if (failed is { } backendFailed)
            {
                return backendFailed;
            }

            if (read == 0)
            {
                return new Result(ForwarderError.ResponseBodyDestination, new IOException($"the backend closed the connection with {remaining} bytes of the body still to come"), false);
            }

            client.Advance(read);
            remaining -= read;
        }

        // The head went out with the first flush, and once it has, Kestrel does not flush what is
        // still in its pipe when the response ends: without this the client waits for the tail.
        return await FlushAsync(client).ConfigureAwait(false) ?? new Result(ForwarderError.None, null, true);
    }

    private static async ValueTask<Result> CopyChunkedAsync(BackendConnection connection, PipeWriter client, TimeSpan activityTimeout)
    {
        var decoder = new ChunkedDecoder();
        var wrote = false;
        var flushedBefore = false;
        while (true)
        {
            while (!connection.Buffered.IsEmpty)
            {
                var step = decoder.Step(connection.Buffered, out var consumed, out var offset, out var length);
                if (step == ChunkStep.Invalid)
                {
                    return new Result(ForwarderError.ResponseBodyDestination, new BadBackendResponseException("the chunked body is not valid chunked coding"), false);
                }

                if (step == ChunkStep.Data)
                {
                    client.Write(connection.Buffered.Slice(offset, length));
                    wrote = true;
                }

                connection.Consume(consumed);
                if (step == ChunkStep.Done)
                {
                    // As for a length-framed body: once the head is out, the tail needs its own flush.
                    return flushedBefore && wrote
                        ? await FlushAsync(client).ConfigureAwait(false) ?? new Result(ForwarderError.None, null, true)
                        : new Result(ForwarderError.None, null, true);
                }
            }

            if (wrote && await FlushAsync(client).ConfigureAwait(false) is { } clientGone)
            {
                return clientGone;
            }

            flushedBefore |= wrote;
            wrote = false;
            int read;
            try
            {
                read = await connection.FillAsync(activityTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                return new Result(ForwarderError.ResponseBodyDestination, e, false);
            }

            if (read == 0)
            {
                return new Result(ForwarderError.ResponseBodyDestination, new IOException("the backend closed the connection before the last chunk"), false);
            }
        }
    }

    private static async ValueTask<Result> CopyUntilCloseAsync(BackendConnection connection, PipeWriter client, TimeSpan activityTimeout)
    {
        if (!connection.Buffered.IsEmpty)
        {
            client.Write(connection.Buffered);
            connection.Consume(connection.Buffered.Length);
        }

        while (true)
        {
            if (await FlushAsync(client).ConfigureAwait(false) is { } clientGone)
            {
                return clientGone;
            }

            var memory = client.GetMemory(16 * 1024);
            var (read, failed) = await ReceiveAsync(connection, memory, activityTimeout).ConfigureAwait(false);
            if (failed is { } backendFailed)
            {
                return backendFailed;
            }

            if (read == 0)
            {
                return new Result(ForwarderError.None, null, true); // the close is the end of this body; the connection is not reused
            }

            client.Advance(read);
        }
    }

    /// <summary>Reads body bytes straight into the client's pipe memory; a result when the backend connection failed.</summary>
    private static async ValueTask<(int Read, Result? Failed)> ReceiveAsync(BackendConnection connection, Memory<byte> memory, TimeSpan activityTimeout)
    {
        try
        {
            return (await connection.ReceiveAsync(memory, activityTimeout).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return (0, new Result(ForwarderError.ResponseBodyDestination, e, false));
        }
    }

    /// <summary>Null when the bytes went out; a result when the client is gone.</summary>
    private static async ValueTask<Result?> FlushAsync(PipeWriter client)
    {
        try
        {
            var flushed = await client.FlushAsync().ConfigureAwait(false);
            return flushed.IsCanceled || flushed.IsCompleted
                ? new Result(ForwarderError.ResponseBodyClient, new IOException("the client connection closed"), false)
                : null;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            return new Result(ForwarderError.ResponseBodyClient, e, false);
        }
    }
}

using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Appliance.Proxy.Forwarding;

/// <summary>
/// One request and its response over a backend connection: send the head and body, read and
/// check the response head, hand status and headers to the client's response, then copy the body
/// as the backend framed it. Which step failed decides the <see cref="ForwarderError"/>, as in
/// YARP's forwarder, so the passive health check and the retry logic see the same thing.
/// </summary>
internal static class Http1Exchange
{
    /// <summary>
    /// Forwards the request. <paramref name="onResponseHead"/> runs after the status and headers are
    /// set and before any body byte goes out (the sticky-session cookie is added there).
    /// </summary>
    public static async ValueTask<ForwardOutcome> RunAsync(
        HttpContext context, BackendConnection connection, OutgoingRequest request, TimeSpan activityTimeout,
        Func<HttpContext, ValueTask>? onResponseHead)
    {
        // 1. The request.
        RequestHeadWriter.Write(connection.Head, request, context.Request.Headers);
        try
        {
            await connection.SendAsync(connection.Head.Written).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return Failed(context, connection, ForwarderError.Request, e);
        }

        if (request.BodyFraming != RequestBodyFraming.None)
        {
            var body = await RequestBodyCopier.CopyAsync(context.Request.BodyReader, connection, request, context.RequestAborted).ConfigureAwait(false);
            if (body.Error != ForwarderError.None)
            {
                return Failed(context, connection, body.Error, body.Exception);
            }
        }

        // 2. The response head (1xx informational answers are read past: we never send Expect).
        ResponseHead head;
        while (true)
        {
            var read = await ReadHeadAsync(connection, HttpMethods.IsHead(request.Method), activityTimeout).ConfigureAwait(false);
            if (read.Error is { } failure)
            {
                return Failed(context, connection, failure.Error, failure.Exception);
            }

            head = read.Head;
            if (head.Status >= 200)
            {
                break;
            }

            if (head.Status == StatusCodes.Status101SwitchingProtocols)
            {
                return Failed(context, connection, ForwarderError.ResponseHeaders, new BadBackendResponseException("101 Switching Protocols to a request that asked for no upgrade"));
            }

            connection.Consume(head.Length);
        }

        // 3. Status and headers, then the body.
        ResponseHeadCopier.Copy(connection.Buffered[..head.Length], connection.Headers.AsSpan(0, head.HeaderCount), head, context.Response);
        connection.Consume(head.Length);
        if (onResponseHead is not null)
        {
            await onResponseHead(context).ConfigureAwait(false);
        }

        var copy = await ResponseBodyCopier.CopyAsync(connection, head, context.Response.BodyWriter, activityTimeout).ConfigureAwait(false);
        if (copy.Error != ForwarderError.None)
        {
            return Failed(context, connection, copy.Error, copy.Exception, answerStarted: true);
        }

        var reusable = head.KeepAlive && copy.Complete && connection.Buffered.IsEmpty && connection.TryEndRequest();
        return ForwardOutcome.Success(reusable);
    }

    private static ForwardOutcome Failed(HttpContext context, BackendConnection connection, ForwarderError error, Exception? exception, bool answerStarted = false)
    {
        // A cancelled operation is the client leaving or the activity timer: say which.
        if (exception is OperationCanceledException || connection.IsCancellationRequested)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                error = answerStarted ? ForwarderError.ResponseBodyClient : ForwarderError.RequestCanceled;
            }
            else if (!answerStarted && error is ForwarderError.Request or ForwarderError.ResponseHeaders)
            {
                error = ForwarderError.RequestTimedOut;
            }
        }

        var nothingReceived = error == ForwarderError.Request && connection.Buffered.IsEmpty;
        return ForwardOutcome.Failed(error, exception, nothingReceived);
    }

    private readonly record struct HeadRead(ResponseHead Head, (ForwarderError Error, Exception Exception)? Error);

    private static async ValueTask<HeadRead> ReadHeadAsync(BackendConnection connection, bool requestWasHead, TimeSpan activityTimeout)
    {
        while (true)
        {
            if (!connection.Buffered.IsEmpty)
            {
                var status = ResponseHeadParser.TryParse(connection.Buffered, requestWasHead, connection.Headers, out var head, out var why);
                if (status == HeadParseStatus.Complete)
                {
                    return new HeadRead(head, null);
                }

                if (status == HeadParseStatus.Invalid)
                {
                    return new HeadRead(default, (ForwarderError.ResponseHeaders, new BadBackendResponseException(why!)));
                }
            }

            int read;
            try
            {
                read = await connection.FillAsync(activityTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                return new HeadRead(default, (ForwarderError.Request, e));
            }

            if (read == 0)
            {
                var empty = connection.Buffered.IsEmpty;
                return new HeadRead(default, (ForwarderError.Request, new IOException(empty
                    ? "the backend closed the connection without answering"
                    : "the backend closed the connection in the middle of the response head")));
            }
        }
    }
}

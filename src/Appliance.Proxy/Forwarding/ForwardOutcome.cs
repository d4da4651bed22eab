using Yarp.ReverseProxy.Forwarder;

namespace Appliance.Proxy.Forwarding;

/// <summary>How one forwarded exchange ended: YARP's error vocabulary (so health, retries and logs read it the same), and whether the connection may carry another request.</summary>
internal readonly record struct ForwardOutcome(ForwarderError Error, Exception? Exception, bool Reusable, bool NothingReceived)
{
    public static ForwardOutcome Success(bool reusable) => new(ForwarderError.None, null, reusable, false);

    /// <param name="nothingReceived">The backend sent not one byte of an answer: on a reused connection, a close that crossed the request.</param>
    public static ForwardOutcome Failed(ForwarderError error, Exception? exception, bool nothingReceived) =>
        new(error, exception, false, nothingReceived);
}

/// <summary>Our <see cref="IForwarderErrorFeature"/>: YARP's own is internal.</summary>
internal sealed class DirectForwarderErrorFeature(ForwarderError error, Exception? exception) : IForwarderErrorFeature
{
    public ForwarderError Error { get; } = error;

    public Exception? Exception { get; } = exception;
}

/// <summary>A backend answer the proxy refuses to pass on (bad framing, too long a head).</summary>
internal sealed class BadBackendResponseException(string message) : Exception(message);

using Yarp.ReverseProxy.Forwarder;

namespace Appliance.Proxy.Health;

/// <summary>
/// Which of YARP's forwarding errors are the backend's doing. The others come from the client (a
/// body with broken chunking, a connection it dropped, a method YARP cannot forward) or from us;
/// counting them against the backend would let any client eject healthy backends through the
/// passive check.
/// </summary>
internal static class BackendFault
{
    public static bool Is(ForwarderError error) => error is
        ForwarderError.Request                     // could not connect or send
        or ForwarderError.RequestTimedOut          // no answer within the activity timeout
        or ForwarderError.RequestBodyDestination   // the backend failed while taking the body
        or ForwarderError.ResponseHeaders          // an answer the proxy cannot use
        or ForwarderError.ResponseBodyDestination  // the backend failed while sending the body
        or ForwarderError.UpgradeRequestDestination
        or ForwarderError.UpgradeResponseDestination;
}

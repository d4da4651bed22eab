using System.Net;
using System.Net.Sockets;

namespace Appliance.Tests.Support;

/// <summary>HTTP clients whose connections leave from a chosen local address (e.g. 127.0.0.3, to play a remote caller on loopback).</summary>
internal static class SourceAddress
{
    /// <summary>A connect callback that binds each new connection to <paramref name="source"/> first.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect(IPAddress source) =>
        async (context, cancel) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancel);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}

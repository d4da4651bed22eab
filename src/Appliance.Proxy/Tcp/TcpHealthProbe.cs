using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.Core.Configuration;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// One active check of a TCP backend: connect within the timeout, then optionally send a text and
/// look for an expected text in the first 4 KiB of the answer. The check connection is closed with
/// a reset, as HAProxy's are, so checks leave no TIME_WAIT sockets behind.
/// </summary>
internal static class TcpHealthProbe
{
    private const int MaxAnswer = 4096;

    /// <summary>True when the backend passed.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="stop"/> was cancelled.</exception>
    public static async Task<bool> ProbeAsync(IPEndPoint endpoint, TcpHealthCheckOptions options, CancellationToken stop)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(options.Timeout);
        try
        {
            await socket.ConnectAsync(endpoint, deadline.Token).ConfigureAwait(false);
            if (options.Send is { } send)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(send), SocketFlags.None, deadline.Token).ConfigureAwait(false);
            }

            return options.Expect is not { } expect || await ExpectAsync(socket, Encoding.UTF8.GetBytes(expect), deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            stop.ThrowIfCancellationRequested();
            return false;
        }
        finally
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (SocketException)
            {
                // Never connected: nothing to reset.
            }
        }
    }

    private static async Task<bool> ExpectAsync(Socket socket, byte[] expected, CancellationToken cancel)
    {
        var answer = new byte[MaxAnswer];
        var filled = 0;
        while (filled < answer.Length)
        {
            var read = await socket.ReceiveAsync(answer.AsMemory(filled), SocketFlags.None, cancel).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            filled += read;
            if (answer.AsSpan(0, filled).IndexOf(expected) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}

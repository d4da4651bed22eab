using Appliance.Core.Security;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Appliance.Cluster.Messages;
using Appliance.Tests.Transport;

namespace Appliance.Tests.Support;

/// <summary>
/// Speaking to a real node's cluster listener from a test: the key the test nodes share (the one
/// <see cref="FrameTestKit"/> and <see cref="FrameFuzzer"/> sign with), frames, and raw connections
/// that report whether the node closed them (which it does after every rejected frame).
/// </summary>
internal static partial class ClusterWire
{
    /// <summary>The cluster key file's content for nodes the test can sign frames for.</summary>
    public static string KeyBase64 => Convert.ToBase64String(FrameTestKit.Key.Span);

    public static byte[] Frame(ClusterMessage message, ulong sequence, ulong to = 0, ClusterKey? key = null) =>
        FrameTestKit.Frame(message, sequence, to, key);

    /// <summary>
    /// Sends <paramref name="bytes"/> on a new connection to 127.0.0.1:<paramref name="port"/>; true when
    /// the node then closes it (a rejected frame), false when it is still open after <paramref name="patience"/>.
    /// </summary>
    public static async Task<bool> SendAndSeeClosedAsync(int port, byte[] bytes, TimeSpan patience)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cancel = new CancellationTokenSource(patience);
        await socket.ConnectAsync(IPAddress.Loopback, port, cancel.Token);
        try
        {
            await socket.SendAsync(bytes, SocketFlags.None, cancel.Token);
            var buffer = new byte[64];
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token) > 0)
            {
                // the node never writes on inbound connections; anything here is ignored
            }

            return true;
        }
        catch (SocketException)
        {
            return true; // reset: closed as well (the node may close before reading everything)
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"this node \S+#(?<uid>[0-9a-f]{16}) is listening")]
    private static partial Regex SelfLine();

    /// <summary>The incarnation a node announced at start ("this node host:port#uid is listening").</summary>
    public static ulong UidFromLog(string output) =>
        ulong.Parse(SelfLine().Match(output) is { Success: true } m ? m.Groups["uid"].Value : throw new InvalidOperationException("no 'this node ... is listening' line:\n" + output),
            NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}

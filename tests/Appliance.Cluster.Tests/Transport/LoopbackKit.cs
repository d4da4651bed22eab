using Appliance.Core.Security;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Appliance.Cluster.Membership;
using Appliance.Cluster.Messages;
using Appliance.Cluster.Transport;
using Microsoft.Extensions.Logging;

namespace Appliance.Tests.Transport;

/// <summary>Real transports on 127.0.0.1 for tests, with a log that can be inspected.</summary>
internal static class LoopbackKit
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static async Task<TcpClusterTransport> StartAsync(ClusterKey key, CollectingLogger? log = null, int port = 0, TcpTransportOptions? options = null)
    {
        var transport = new TcpClusterTransport(new NodeAddress("127.0.0.1", port), key, options ?? new TcpTransportOptions(), TimeProvider.System, log ?? new CollectingLogger());
        await transport.StartAsync(CancellationToken.None);
        return transport;
    }

    public static UniqueAddress Id(TcpClusterTransport transport, ulong uid) => new(transport.LocalAddress, uid);

    /// <summary>The next message, or a failure after <see cref="Patience"/>.</summary>
    public static async Task<InboundMessage> ReceiveAsync(TcpClusterTransport transport)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            return await transport.Incoming.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no message arrived at {transport.LocalAddress} within {Patience}");
        }
    }

    /// <summary>Everything that arrives within <paramref name="window"/>.</summary>
    public static async Task<List<InboundMessage>> CollectAsync(TcpClusterTransport transport, TimeSpan window)
    {
        var received = new List<InboundMessage>();
        using var timeout = new CancellationTokenSource(window);
        try
        {
            while (true)
            {
                received.Add(await transport.Incoming.ReadAsync(timeout.Token));
            }
        }
        catch (OperationCanceledException)
        {
            return received;
        }
    }

    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not within {Patience}: {what}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>A raw TCP client that writes <paramref name="bytes"/> and reports whether the server closed the connection.</summary>
    public static async Task<bool> ServerClosesAfterAsync(TcpClusterTransport server, byte[] bytes)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, server.LocalAddress.Port);
        await client.SendAsync(bytes);
        using var timeout = new CancellationTokenSource(Patience);
        var buffer = new byte[16];
        try
        {
            return await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) == 0;
        }
        catch (SocketException)
        {
            return true; // reset by the server: closed as well
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>An <see cref="ILogger"/> that keeps every formatted line.</summary>
internal sealed class CollectingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Text)> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue((logLevel, eventId, formatter(state, exception) + (exception is null ? "" : " " + exception)));

    public IEnumerable<string> WithEvent(int id) => Lines.Where(l => l.Id.Id == id).Select(l => l.Text);

    public string All => string.Join("\n", Lines.Select(l => l.Text));
}

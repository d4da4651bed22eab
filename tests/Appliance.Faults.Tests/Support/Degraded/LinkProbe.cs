using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Appliance.Tests.Support.Netns;

namespace Appliance.Tests.Support.Degraded;

/// <summary>Measures a link from outside the degradation: UDP echoes, numbered and timestamped.</summary>
internal static class LinkProbe
{
    public sealed record ProbeResult(double Median, double Min, double Max, double LossRate, int Reordered);

    /// <summary>Sends <paramref name="count"/> numbered, timestamped datagrams 5 ms apart and collects the echoes.</summary>
    public static async Task<ProbeResult> UdpAsync(NetnsHost from, NetnsHost to, int port, int count)
    {
        using var socket = from.UdpSocket();
        socket.Connect(new IPEndPoint(IPAddress.Parse(to.Address), port));
        var clock = Stopwatch.StartNew();
        var rtts = new List<double>();
        var reordered = 0;
        var highest = -1;
        var receiving = Task.Run(async () =>
        {
            var buffer = new byte[64];
            using var stop = new CancellationTokenSource();
            while (rtts.Count < count)
            {
                // Until every echo is back or none came for 3 s (the rest were lost).
                stop.CancelAfter(TimeSpan.FromSeconds(3));
                int n;
                try
                {
                    n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (n < 12)
                {
                    continue;
                }

                var seq = BinaryPrimitives.ReadInt32BigEndian(buffer);
                var sent = BinaryPrimitives.ReadInt64BigEndian(buffer.AsSpan(4));
                rtts.Add((clock.Elapsed.Ticks - sent) / (double)TimeSpan.TicksPerMillisecond);
                reordered += seq < highest ? 1 : 0;
                highest = Math.Max(highest, seq);
            }
        });
        var datagram = new byte[12];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(datagram, i);
            BinaryPrimitives.WriteInt64BigEndian(datagram.AsSpan(4), clock.Elapsed.Ticks);
            await socket.SendAsync(datagram, SocketFlags.None);
            await Task.Delay(5);
        }

        await receiving;
        rtts.Sort();
        return rtts.Count == 0
            ? new ProbeResult(double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, 1, 0)
            : new ProbeResult(rtts[rtts.Count / 2], rtts[0], rtts[^1], 1 - ((double)rtts.Count / count), reordered);
    }
}

/// <summary>Sends every datagram it receives on <c>port</c> straight back.</summary>
internal sealed class UdpEcho : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public UdpEcho(NetnsHost host, int port)
    {
        _socket = host.UdpSocket();
        _socket.Bind(new IPEndPoint(IPAddress.Parse(host.Address), port));
        _loop = Task.Run(async () =>
        {
            var buffer = new byte[64];
            EndPoint any = new IPEndPoint(IPAddress.Any, 0);
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
                    await _socket.SendToAsync(buffer.AsMemory(0, r.ReceivedBytes), SocketFlags.None, r.RemoteEndPoint);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public void Dispose()
    {
        _stop.Cancel();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _socket.Dispose();
        _stop.Dispose();
    }
}

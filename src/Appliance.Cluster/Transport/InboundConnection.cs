using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace Appliance.Cluster.Transport;

/// <summary>
/// Reads frames from one accepted connection and hands accepted messages on. The first rejected
/// frame closes the connection (after the frame is counted and, throttled, logged): a peer that
/// sends one bad frame cannot be trusted to be in sync. A length above the maximum is refused
/// before any of the frame is read, and the pipe only ever holds bytes the peer really sent.
/// </summary>
internal sealed class InboundConnection
{
    private readonly Socket _socket;
    private readonly string _remote;
    private readonly FrameDecoder _decoder;
    private readonly InboundQueue _incoming;
    private readonly TransportContext _context;

    public InboundConnection(Socket socket, FrameDecoder decoder, InboundQueue incoming, TransportContext context)
    {
        _socket = socket;
        _remote = RemoteText(socket);
        _decoder = decoder;
        _incoming = incoming;
        _context = context;
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        var idleTimeout = _context.Options.InboundIdleTimeout;
        using var idle = new CancellationTokenSource(idleTimeout, _context.Time);
        using var registration = stopping.Register(static s => ((CancellationTokenSource)s!).Cancel(), idle);
        var stream = new NetworkStream(_socket, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4 * 1024, leaveOpen: false));
        try
        {
            while (await ReadFrameAsync(reader, idle.Token).ConfigureAwait(false))
            {
                idle.CancelAfter(idleTimeout);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads and handles one frame; false when the connection must end.</summary>
    private async ValueTask<bool> ReadFrameAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var result = await reader.ReadAtLeastAsync(FrameFormat.LengthSize, cancellationToken).ConfigureAwait(false);
        var buffer = result.Buffer;
        if (buffer.Length < FrameFormat.LengthSize)
        {
            return false; // closed between frames or inside a length field: nothing to judge
        }

        Span<byte> prefix = stackalloc byte[FrameFormat.LengthSize];
        buffer.Slice(0, FrameFormat.LengthSize).CopyTo(prefix);
        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix);
        var check = _decoder.CheckLength(length, out var detail);
        if (check != FrameOutcome.Accepted)
        {
            Reject(check, detail!);
            return false;
        }

        // Plain reads, not ReadAtLeastAsync(total): that one may rent the whole frame up front, so
        // a bare length prefix from anyone would reserve a megabyte. Here the pipe grows only with
        // bytes the peer really sent.
        var total = FrameFormat.LengthSize + (int)length;
        while (buffer.Length < total)
        {
            if (result.IsCompleted)
            {
                return false; // the peer went away mid-frame
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            buffer = result.Buffer;
        }

        var outcome = Decode(buffer.Slice(FrameFormat.LengthSize, length), out var message, out detail);
        reader.AdvanceTo(buffer.GetPosition(total));
        if (outcome != FrameOutcome.Accepted)
        {
            Reject(outcome, detail!);
            return false;
        }

        _context.PeerHeard?.Invoke(message!.Message.From.Address);
        if (!_incoming.Write(message!) && _context.RejectionLog.ShouldLog("incoming", out _))
        {
            TransportLog.IncomingFull(_context.Logger, _context.Stats.DroppedIncoming);
        }

        return true;
    }

    /// <summary>The peer's IP for logs and throttling (IPv4 shown as IPv4 on a dual-mode listener).</summary>
    internal static string RemoteText(Socket socket) => socket.RemoteEndPoint is System.Net.IPEndPoint endpoint
        ? (endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address).ToString()
        : "unknown";

    private FrameOutcome Decode(ReadOnlySequence<byte> body, out InboundMessage? message, out string? detail)
    {
        if (body.IsSingleSegment)
        {
            return _decoder.DecodeBody(body.FirstSpan, out message, out detail);
        }

        var copy = ArrayPool<byte>.Shared.Rent((int)body.Length);
        try
        {
            body.CopyTo(copy);
            return _decoder.DecodeBody(copy.AsSpan(0, (int)body.Length), out message, out detail);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private void Reject(FrameOutcome outcome, string detail)
    {
        if (_context.RejectionLog.ShouldLog(_remote, out var suppressed))
        {
            TransportLog.FrameRejected(_context.Logger, _remote, OutcomeText(outcome), detail, suppressed);
        }
    }

    private static string OutcomeText(FrameOutcome outcome) => outcome switch
    {
        FrameOutcome.RejectedAuth => "authentication failed",
        FrameOutcome.RejectedReplay => "replayed",
        FrameOutcome.RejectedOversized => "oversized",
        _ => "malformed",
    };
}

using System.Buffers;
using System.IO.Pipelines;
using Appliance.Proxy.Tcp;

namespace Appliance.Tests.Support;

/// <summary>
/// An in-memory <see cref="ITcpEnd"/> over System.IO.Pipelines: a FIN completes the writer, a reset
/// completes it with an error, so the pump can be tested without sockets.
/// </summary>
internal sealed class PipeEnd(PipeReader input, PipeWriter output) : ITcpEnd
{
    public bool Aborted { get; private set; }

    public bool SentFin { get; private set; }

    /// <summary>Two connected ends: what one sends, the other receives.</summary>
    public static (PipeEnd Near, PipeEnd Far) CreatePair()
    {
        var there = new Pipe();
        var back = new Pipe();
        return (new PipeEnd(back.Reader, there.Writer), new PipeEnd(there.Reader, back.Writer));
    }

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer)
    {
        var result = await input.ReadAsync();
        var data = result.Buffer;
        if (Aborted)
        {
            input.AdvanceTo(data.Start);
            throw new IOException("aborted");
        }

        if (data.IsEmpty && (result.IsCompleted || result.IsCanceled))
        {
            input.AdvanceTo(data.End);
            return 0;
        }

        if (buffer.IsEmpty)
        {
            input.AdvanceTo(data.Start); // looked at nothing: the next read sees the same data at once
            return 0;
        }

        var take = (int)Math.Min(buffer.Length, data.Length);
        data.Slice(0, take).CopyTo(buffer.Span);
        input.AdvanceTo(data.GetPosition(take));
        return take;
    }

    public async ValueTask<int> SendAsync(ReadOnlyMemory<byte> data)
    {
        var flushed = await output.WriteAsync(data);
        if (flushed.IsCompleted)
        {
            throw new IOException("the peer is gone");
        }

        return data.Length;
    }

    public void ShutdownSend()
    {
        SentFin = true;
        output.Complete();
    }

    public void Abort()
    {
        Aborted = true;
        output.Complete(new IOException("connection reset"));
        input.CancelPendingRead();
    }

    public void Shutdown()
    {
        output.Complete();
        input.CancelPendingRead();
    }

    public void Dispose()
    {
        output.Complete();
        input.Complete();
    }

    /// <summary>Reads until the FIN; throws when the other side reset.</summary>
    public async Task<byte[]> ReadToEndAsync()
    {
        var all = new ArrayBufferWriter<byte>();
        var buffer = new byte[4096];
        int n;
        while ((n = await ReceiveAsync(buffer)) > 0)
        {
            all.Write(buffer.AsSpan(0, n));
        }

        return all.WrittenSpan.ToArray();
    }
}

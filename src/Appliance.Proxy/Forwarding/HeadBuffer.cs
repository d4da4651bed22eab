using System.Buffers;
using System.Text;

namespace Appliance.Proxy.Forwarding;

/// <summary>A reusable, growable byte buffer for writing one request head (pooled arrays, no per-request allocation).</summary>
internal sealed class HeadBuffer : IDisposable
{
    private byte[] _buffer;

    public HeadBuffer(int initialSize = 4096) => _buffer = ArrayPool<byte>.Shared.Rent(initialSize);

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);

    public void Clear() => Length = 0;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    /// <summary>Appends text as Latin-1 (the bytes a header value arrived as; ASCII is the same).</summary>
    public void Append(string text)
    {
        Ensure(text.Length);
        Length += Encoding.Latin1.GetBytes(text, _buffer.AsSpan(Length));
    }

    public void Append(long value)
    {
        Ensure(20);
        value.TryFormat(_buffer.AsSpan(Length), out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        Length += written;
    }

    public void AppendHex(int value)
    {
        Ensure(8);
        value.TryFormat(_buffer.AsSpan(Length), out var written, "x", System.Globalization.CultureInfo.InvariantCulture);
        Length += written;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void Ensure(int more)
    {
        if (Length + more <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + more));
        _buffer.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}

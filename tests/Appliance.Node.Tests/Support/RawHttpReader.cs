using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Tests.Support;

/// <summary>One HTTP/1.x message as read off a raw socket: the head as sent (Latin-1) and the de-framed body.</summary>
internal sealed record RawHttpMessage(string Head, byte[] Body)
{
    /// <summary>The request or status line.</summary>
    public string StartLine => Head[..Head.IndexOf("\r\n", StringComparison.Ordinal)];

    /// <summary>The header fields in the order sent, names as sent.</summary>
    public IReadOnlyList<(string Name, string Value)> Fields =>
        Head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => (line[..line.IndexOf(':', StringComparison.Ordinal)], line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()))
            .ToList();

    /// <summary>Every value of a field (case-insensitive name), one per line it was sent on.</summary>
    public IReadOnlyList<string> All(string name) =>
        Fields.Where(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase)).Select(f => f.Value).ToList();

    /// <summary>The field's value when sent exactly once, null when absent; fails the test when repeated.</summary>
    public string? Field(string name)
    {
        var values = All(name);
        Assert.True(values.Count <= 1, $"'{name}' was sent {values.Count} times:\n{Head}");
        return values.Count == 0 ? null : values[0];
    }

    /// <summary>The status code of a response.</summary>
    public int Status => int.Parse(StartLine.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture);

    public string BodyText => Encoding.Latin1.GetString(Body);
}

/// <summary>
/// Reads HTTP/1.x messages from a socket for the raw test client and backend: a head up to the
/// empty line, then a body framed by Content-Length or chunked coding (trailers read and dropped).
/// Deliberately simple and trusting: it checks what the proxy sends, it is not a second parser under test.
/// </summary>
internal sealed class RawHttpReader(Socket socket)
{
    private const int MaxHead = 1024 * 1024;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>Bytes read off the socket and not yet consumed.</summary>
    public int Buffered => _end - _start;

    /// <summary>
    /// The next head, or null when the peer closed before its first byte. With
    /// <paramref name="firstByteTimeout"/>, also null when no byte arrived in that time.
    /// </summary>
    public async Task<string?> ReadHeadAsync(CancellationToken cancel, TimeSpan? firstByteTimeout = null)
    {
        if (_start == _end && firstByteTimeout is { } idle)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            wait.CancelAfter(idle);
            try
            {
                if (await FillAsync(wait.Token) == 0)
                {
                    return null;
                }
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                return null;
            }
        }

        var head = new StringBuilder();
        while (true)
        {
            var line = await ReadLineAsync(cancel);
            if (line is null)
            {
                if (head.Length == 0)
                {
                    return null;
                }

                throw new IOException("the peer closed in the middle of a head:\n" + head);
            }

            head.Append(line).Append("\r\n");
            if (line.Length == 0)
            {
                return head.ToString();
            }

            if (head.Length > MaxHead)
            {
                throw new IOException("head longer than 1 MiB");
            }
        }
    }

    /// <summary>A request body as its head frames it (none when neither Content-Length nor chunked).</summary>
    public Task<byte[]> ReadRequestBodyAsync(string head, CancellationToken cancel) => ReadBodyAsync(head, untilClose: false, cancel);

    /// <summary>The body of a response whose head was read (not a HEAD answer, not 1xx, 204 or 304).</summary>
    public Task<byte[]> ReadResponseBodyAsync(string head, CancellationToken cancel) => ReadBodyAsync(head, untilClose: true, cancel);

    /// <summary>
    /// A response and its body. <paramref name="bodyless"/> for the answer to a HEAD (and 1xx, 204,
    /// 304 are body-less anyway); a response with neither length nor chunking is read to the close.
    /// </summary>
    public async Task<RawHttpMessage?> ReadResponseAsync(bool bodyless, CancellationToken cancel)
    {
        var head = await ReadHeadAsync(cancel);
        if (head is null)
        {
            return null;
        }

        var status = int.Parse(head.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture);
        var body = bodyless || status is < 200 or 204 or 304 ? [] : await ReadBodyAsync(head, untilClose: true, cancel);
        return new RawHttpMessage(head, body);
    }

    private async Task<byte[]> ReadBodyAsync(string head, bool untilClose, CancellationToken cancel)
    {
        var message = new RawHttpMessage(head, []);
        if (message.All("Transfer-Encoding").Any(v => v.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            return await ReadChunkedAsync(cancel);
        }

        if (message.All("Content-Length") is [var length, ..])
        {
            return await ReadExactlyAsync(int.Parse(length, NumberStyles.None, CultureInfo.InvariantCulture), cancel);
        }

        return untilClose ? await ReadToEndAsync(cancel) : [];
    }

    private async Task<byte[]> ReadChunkedAsync(CancellationToken cancel)
    {
        var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(cancel) ?? throw new IOException("closed before a chunk size");
            var size = int.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                while (!string.IsNullOrEmpty(await ReadLineAsync(cancel)))
                {
                    // trailer fields: dropped
                }

                return body.ToArray();
            }

            body.Write(await ReadExactlyAsync(size, cancel));
            if (await ReadLineAsync(cancel) != string.Empty)
            {
                throw new IOException("chunk data not followed by CRLF");
            }
        }
    }

    public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancel)
    {
        var result = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            if (_start == _end && await FillAsync(cancel) == 0)
            {
                throw new IOException($"closed after {filled} of {count} body bytes");
            }

            var take = Math.Min(count - filled, _end - _start);
            _buffer.AsSpan(_start, take).CopyTo(result.AsSpan(filled));
            _start += take;
            filled += take;
        }

        return result;
    }

    /// <summary>Everything until the peer closes.</summary>
    public async Task<byte[]> ReadToEndAsync(CancellationToken cancel)
    {
        var all = new MemoryStream();
        while (true)
        {
            if (_start == _end && await FillAsync(cancel) == 0)
            {
                return all.ToArray();
            }

            all.Write(_buffer, _start, _end - _start);
            _start = _end;
        }
    }

    /// <summary>A line without its CRLF (a bare LF also ends it), or null at the close before any byte of it.</summary>
    private async Task<string?> ReadLineAsync(CancellationToken cancel)
    {
        var line = new MemoryStream();
        while (true)
        {
            if (_start == _end && await FillAsync(cancel) == 0)
            {
                return line.Length == 0 ? null : throw new IOException("closed in the middle of a line");
            }

            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline < 0)
            {
                line.Write(_buffer, _start, _end - _start);
                _start = _end;
                continue;
            }

            line.Write(_buffer, _start, newline);
            _start += newline + 1;
            var text = Encoding.Latin1.GetString(line.ToArray());
            return text.EndsWith('\r') ? text[..^1] : text;
        }
    }

    private async Task<int> FillAsync(CancellationToken cancel)
    {
        _start = _end = 0;
        var read = await socket.ReceiveAsync(_buffer, SocketFlags.None, cancel);
        _end = read;
        return read;
    }
}

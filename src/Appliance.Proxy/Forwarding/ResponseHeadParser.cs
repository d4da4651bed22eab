namespace Appliance.Proxy.Forwarding;

/// <summary>Outcome of looking for a complete response head in the bytes read so far.</summary>
internal enum HeadParseStatus
{
    Incomplete,
    Complete,
    Invalid,
}

/// <summary>
/// A strict parser for the head of an HTTP/1.x response from a backend. The connection it came
/// on is reused for other clients' requests, so anything that could make the framing ambiguous
/// (obs-fold, bare CR or LF, white space before the colon, differing Content-Length values) is
/// refused rather than guessed at: a guess is how one client's response ends up in another's.
/// Pure: bytes in, a <see cref="ResponseHead"/> and header ranges out.
/// </summary>
internal static class ResponseHeadParser
{
    /// <summary>The largest head accepted (HttpClient's default limit is the same 64 KiB).</summary>
    public const int MaxHeadLength = 64 * 1024;

    /// <summary>
    /// Parses the head at the start of <paramref name="buffer"/>. <paramref name="headers"/> receives
    /// the header lines; when it is too small the head is refused. <paramref name="error"/> says why
    /// a head was refused.
    /// </summary>
    public static HeadParseStatus TryParse(
        ReadOnlySpan<byte> buffer, bool requestWasHead, Span<HeaderRange> headers, out ResponseHead head, out string? error)
    {
        head = default;
        error = null;
        var end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (buffer.Length >= MaxHeadLength)
            {
                error = "the response head is larger than 64 KiB";
                return HeadParseStatus.Invalid;
            }

            // A bare LF anywhere already makes the head invalid; say so now rather than wait for more bytes.
            return HasBareLineFeed(buffer) ? Invalid(out error, "a line ends in a bare LF") : HeadParseStatus.Incomplete;
        }

        if (end + 4 > MaxHeadLength)
        {
            error = "the response head is larger than 64 KiB";
            return HeadParseStatus.Invalid;
        }

        if (HasBareLineFeed(buffer[..(end + 4)]))
        {
            return Invalid(out error, "a line ends in a bare LF");
        }

        head.Length = end + 4;
        var lineEnd = buffer.IndexOf("\r\n"u8);
        if (!TryParseStatusLine(buffer[..lineEnd], ref head, out error))
        {
            return HeadParseStatus.Invalid;
        }

        var framing = new FramingReader();
        var position = lineEnd + 2;
        while (position < end + 2)
        {
            var lineLength = buffer[position..].IndexOf("\r\n"u8);
            var line = buffer.Slice(position, lineLength);
            if (!TryParseHeaderLine(line, position, out var range, out error))
            {
                return HeadParseStatus.Invalid;
            }

            if (head.HeaderCount == headers.Length)
            {
                return Invalid(out error, $"the response has more than {headers.Length} header lines");
            }

            headers[head.HeaderCount++] = range;
            if (!framing.Observe(buffer.Slice(range.NameStart, range.NameLength), buffer.Slice(range.ValueStart, range.ValueLength), out error))
            {
                return HeadParseStatus.Invalid;
            }

            position += lineLength + 2;
        }

        return framing.Decide(ref head, requestWasHead, out error) ? HeadParseStatus.Complete : HeadParseStatus.Invalid;
    }

    private static HeadParseStatus Invalid(out string error, string why)
    {
        error = why;
        return HeadParseStatus.Invalid;
    }

    private static bool HasBareLineFeed(ReadOnlySpan<byte> buffer)
    {
        for (var i = buffer.IndexOf((byte)'\n'); i >= 0;)
        {
            if (i == 0 || buffer[i - 1] != '\r')
            {
                return true;
            }

            var next = buffer[(i + 1)..].IndexOf((byte)'\n');
            i = next < 0 ? -1 : i + 1 + next;
        }

        return false;
    }

    /// <summary><c>HTTP/1.x SSS reason</c>: version 1.0 or 1.1, three digits, then a space or the end.</summary>
    private static bool TryParseStatusLine(ReadOnlySpan<byte> line, ref ResponseHead head, out string? error)
    {
        error = null;
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[7] is not ((byte)'0' or (byte)'1') || line[8] != ' '
            || !IsDigit(line[9]) || !IsDigit(line[10]) || !IsDigit(line[11]) || (line.Length > 12 && line[12] != ' '))
        {
            error = "the status line is not 'HTTP/1.x NNN reason'";
            return false;
        }

        if (ContainsControl(line[12..], allowTab: true))
        {
            error = "the status line holds a control character";
            return false;
        }

        head.MinorVersion = line[7] - '0';
        head.Status = ((line[9] - '0') * 100) + ((line[10] - '0') * 10) + (line[11] - '0');
        if (head.Status < 100)
        {
            error = "the status code is below 100";
            return false;
        }

        return true;
    }

    private static bool TryParseHeaderLine(ReadOnlySpan<byte> line, int offset, out HeaderRange range, out string? error)
    {
        range = default;
        error = null;
        if (line.Length == 0 || line[0] is (byte)' ' or (byte)'\t')
        {
            error = "a header line is folded (obs-fold) or empty";
            return false;
        }

        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            error = "a header line has no name or no colon";
            return false;
        }

        foreach (var b in line[..colon])
        {
            if (!IsTokenChar(b))
            {
                error = "a header name holds a character that is not allowed (white space before the colon?)";
                return false;
            }
        }

        var value = line[(colon + 1)..];
        var start = colon + 1;
        while (value.Length > 0 && value[0] is (byte)' ' or (byte)'\t')
        {
            value = value[1..];
            start++;
        }

        while (value.Length > 0 && value[^1] is (byte)' ' or (byte)'\t')
        {
            value = value[..^1];
        }

        if (ContainsControl(value, allowTab: true))
        {
            error = "a header value holds a control character";
            return false;
        }

        range = new HeaderRange(offset, colon, offset + start, value.Length);
        return true;
    }

    internal static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    /// <summary>RFC 9110 tchar.</summary>
    internal static bool IsTokenChar(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
        or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
        or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';

    private static bool ContainsControl(ReadOnlySpan<byte> value, bool allowTab)
    {
        foreach (var b in value)
        {
            if ((b < 0x20 && !(allowTab && b == '\t')) || b == 0x7F)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Collects Content-Length, Transfer-Encoding and Connection across the header lines.</summary>
    private struct FramingReader
    {
        private long _contentLength;
        private bool _hasContentLength;
        private bool _hasTransferEncoding;
        private bool _chunkedLast;
        private bool _close;
        private bool _keepAliveToken;

        public bool Observe(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, out string? error)
        {
            error = null;
            if (name.EqualsIgnoreCase("Content-Length"u8))
            {
                return ObserveContentLength(value, out error);
            }

            if (name.EqualsIgnoreCase("Transfer-Encoding"u8))
            {
                _hasTransferEncoding = true;
                var last = LastToken(value);
                _chunkedLast = last.EqualsIgnoreCase("chunked"u8);
                return true;
            }

            if (name.EqualsIgnoreCase("Connection"u8))
            {
                foreach (var token in new TokenList(value))
                {
                    _close |= token.EqualsIgnoreCase("close"u8);
                    _keepAliveToken |= token.EqualsIgnoreCase("keep-alive"u8);
                }
            }

            return true;
        }

        /// <summary>A list ("5, 5") or repeated lines are accepted only when every value is the same.</summary>
        private bool ObserveContentLength(ReadOnlySpan<byte> value, out string? error)
        {
            error = null;
            var any = false;
            foreach (var token in new TokenList(value))
            {
                any = true;
                if (!TryParseLength(token, out var length))
                {
                    error = "Content-Length is not a non-negative whole number";
                    return false;
                }

                if (_hasContentLength && length != _contentLength)
                {
                    error = "the response has two different Content-Length values";
                    return false;
                }

                _hasContentLength = true;
                _contentLength = length;
            }

            if (!any)
            {
                error = "Content-Length is empty";
                return false;
            }

            return true;
        }

        public readonly bool Decide(ref ResponseHead head, bool requestWasHead, out string? error)
        {
            error = null;
            head.KeepAlive = head.MinorVersion == 1 ? !_close : _keepAliveToken && !_close;
            head.ContentLength = _hasContentLength ? _contentLength : -1;
            if (requestWasHead || head.Status < 200 || head.Status is 204 or 304)
            {
                head.Framing = BodyFraming.None;
                return true;
            }

            if (_hasTransferEncoding)
            {
                if (head.MinorVersion == 0)
                {
                    error = "an HTTP/1.0 response uses Transfer-Encoding";
                    return false;
                }

                // RFC 9112 6.3: Transfer-Encoding wins over Content-Length, and such a message may be
                // an attempt at smuggling, so the connection is not used again.
                head.Framing = _chunkedLast ? BodyFraming.Chunked : BodyFraming.UntilClose;
                head.KeepAlive &= _chunkedLast && !_hasContentLength;
                return true;
            }

            if (_hasContentLength)
            {
                head.Framing = BodyFraming.ContentLength;
                return true;
            }

            head.Framing = BodyFraming.UntilClose;
            head.KeepAlive = false;
            return true;
        }

        private static bool TryParseLength(ReadOnlySpan<byte> text, out long value)
        {
            value = 0;
            if (text.Length is 0 or > 18)
            {
                return false;
            }

            foreach (var b in text)
            {
                if (!IsDigit(b))
                {
                    return false;
                }

                value = (value * 10) + (b - '0');
            }

            return true;
        }

        private static ReadOnlySpan<byte> LastToken(ReadOnlySpan<byte> value)
        {
            ReadOnlySpan<byte> last = default;
            foreach (var token in new TokenList(value))
            {
                last = token;
            }

            return last;
        }
    }
}

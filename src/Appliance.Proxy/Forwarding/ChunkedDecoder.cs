namespace Appliance.Proxy.Forwarding;

/// <summary>What one step of <see cref="ChunkedDecoder"/> found.</summary>
internal enum ChunkStep
{
    /// <summary>Every byte given was consumed; read more.</summary>
    NeedMore,

    /// <summary>A run of body bytes, at the returned offset and length.</summary>
    Data,

    /// <summary>The last chunk and the trailer section ended; the body is complete.</summary>
    Done,

    /// <summary>Not valid chunked coding; the connection must be closed.</summary>
    Invalid,
}

/// <summary>
/// Decodes the chunked transfer coding (RFC 9112 section 7.1) incrementally, over whatever bytes
/// have arrived. Kestrel chunks again for the client, so the proxy forwards only the data.
/// Chunk extensions are skipped and trailer fields dropped. Sizes and control lines are bounded,
/// so a backend cannot make the proxy buffer without limit. Pure: no I/O.
/// </summary>
internal struct ChunkedDecoder
{
    /// <summary>Longest chunk-size line (digits and extensions) and longest trailer section accepted.</summary>
    public const int MaxLineLength = 4096;
    public const int MaxTrailerLength = 16 * 1024;

    private State _state;
    private long _remaining;
    private int _lineLength;
    private int _trailerLength;
    private int _digits;

    private enum State
    {
        Size,
        Extension,
        SizeLf,
        Data,
        DataCr,
        DataLf,
        TrailerLineStart,
        TrailerLine,
        TrailerLf,
        FinalLf,
        Done,
    }

    public readonly bool IsDone => _state == State.Done;

    /// <summary>
    /// Advances over <paramref name="input"/>. <paramref name="consumed"/> bytes were used (data
    /// included). On <see cref="ChunkStep.Data"/> the body bytes are
    /// <c>input.Slice(dataOffset, dataLength)</c>; call again with the rest.
    /// </summary>
    public ChunkStep Step(ReadOnlySpan<byte> input, out int consumed, out int dataOffset, out int dataLength)
    {
        consumed = 0;
        dataOffset = 0;
        dataLength = 0;
        while (consumed < input.Length)
        {
            if (_state == State.Data)
            {
                var take = (int)Math.Min(_remaining, input.Length - consumed);
                dataOffset = consumed;
                dataLength = take;
                consumed += take;
                _remaining -= take;
                if (_remaining == 0)
                {
                    _state = State.DataCr;
                }

                return ChunkStep.Data;
            }

            var b = input[consumed++];
            if (!Advance(b))
            {
                return ChunkStep.Invalid;
            }

            if (_state == State.Done)
            {
                return ChunkStep.Done;
            }
        }

        return _state == State.Done ? ChunkStep.Done : ChunkStep.NeedMore;
    }

    private bool Advance(byte b)
    {
        switch (_state)
        {
            case State.Size:
                if (HexValue(b) is var digit and >= 0)
                {
                    if (++_digits > 15)
                    {
                        return false; // a chunk over 2^60 bytes: not a size anyone means
                    }

                    _remaining = (_remaining << 4) | (uint)digit;
                    return CountLine();
                }

                if (_digits == 0)
                {
                    return false;
                }

                if (b == '\r')
                {
                    _state = State.SizeLf;
                    return true;
                }

                if (b is (byte)';' or (byte)' ' or (byte)'\t')
                {
                    _state = State.Extension;
                    return CountLine();
                }

                return false;

            case State.Extension:
                if (b == '\r')
                {
                    _state = State.SizeLf;
                    return true;
                }

                return b != '\n' && CountLine();

            case State.SizeLf:
                if (b != '\n')
                {
                    return false;
                }

                _lineLength = 0;
                _digits = 0;
                _state = _remaining == 0 ? State.TrailerLineStart : State.Data;
                return true;

            case State.DataCr:
                _state = State.DataLf;
                return b == '\r';

            case State.DataLf:
                _state = State.Size;
                return b == '\n';

            case State.TrailerLineStart:
                if (b == '\r')
                {
                    _state = State.FinalLf;
                    return true;
                }

                _state = State.TrailerLine;
                return b != '\n' && CountTrailer();

            case State.TrailerLine:
                if (b == '\r')
                {
                    _state = State.TrailerLf;
                    return true;
                }

                return b != '\n' && CountTrailer();

            case State.TrailerLf:
                _state = State.TrailerLineStart;
                return b == '\n';

            case State.FinalLf:
                _state = State.Done;
                return b == '\n';

            default:
                return false;
        }
    }

    private bool CountLine() => ++_lineLength <= MaxLineLength;

    private bool CountTrailer() => ++_trailerLength <= MaxTrailerLength;

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}

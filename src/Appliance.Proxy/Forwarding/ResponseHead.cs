namespace Appliance.Proxy.Forwarding;

/// <summary>How the body of a backend's response is delimited on the wire (RFC 9112 section 6.3).</summary>
internal enum BodyFraming
{
    /// <summary>No body: a HEAD request, 1xx, 204 or 304.</summary>
    None,

    /// <summary>Exactly <see cref="ResponseHead.ContentLength"/> bytes.</summary>
    ContentLength,

    /// <summary>Chunked transfer coding, ended by the zero-size chunk and the trailer section.</summary>
    Chunked,

    /// <summary>Everything until the backend closes; the connection cannot be reused.</summary>
    UntilClose,
}

/// <summary>One header line of a parsed head, as offsets into the buffer it was parsed from.</summary>
internal readonly record struct HeaderRange(int NameStart, int NameLength, int ValueStart, int ValueLength);

/// <summary>The parsed status line and framing of a backend response; header lines are kept as ranges.</summary>
internal struct ResponseHead
{
    public int Status;
    public int MinorVersion;
    public BodyFraming Framing;
    public long ContentLength;

    /// <summary>False when the backend said close, spoke HTTP/1.0, or framed the body in a way that forbids reuse.</summary>
    public bool KeepAlive;

    /// <summary>Bytes of the head including the blank line that ends it.</summary>
    public int Length;

    public int HeaderCount;
}

namespace Appliance.Proxy.Forwarding;

/// <summary>Walks a comma-separated header value ("a, b ,c"), yielding each element trimmed of spaces and tabs; empty elements are skipped.</summary>
internal ref struct TokenList(ReadOnlySpan<byte> value)
{
    private ReadOnlySpan<byte> _rest = value;

    public ReadOnlySpan<byte> Current { get; private set; }

    public readonly TokenList GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_rest.Length > 0)
        {
            var comma = _rest.IndexOf((byte)',');
            var item = comma < 0 ? _rest : _rest[..comma];
            _rest = comma < 0 ? default : _rest[(comma + 1)..];
            item = item.Trim(" \t"u8);
            if (item.Length > 0)
            {
                Current = item;
                return true;
            }
        }

        return false;
    }
}

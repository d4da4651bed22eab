namespace Appliance.Proxy.Tcp;

/// <summary>Outcome of reading a PROXY protocol header from the bytes received so far.</summary>
internal enum ProxyParseStatus
{
    /// <summary>A complete, valid header.</summary>
    Done,

    /// <summary>Valid so far; more bytes are needed.</summary>
    Incomplete,

    /// <summary>Not a PROXY header, or a malformed one: the connection must be closed.</summary>
    Invalid,
}

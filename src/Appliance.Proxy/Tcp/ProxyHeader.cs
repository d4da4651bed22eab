using System.Net;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// What a PROXY protocol header says: the original client (<see cref="Source"/>) and the address it
/// connected to (<see cref="Destination"/>). Both are null for a LOCAL header (a front's own health
/// check) or an UNKNOWN/unspecified family: the connection's own addresses stand then.
/// </summary>
internal readonly record struct ProxyHeader(IPEndPoint? Source, IPEndPoint? Destination)
{
    public bool HasAddresses => Source is not null && Destination is not null;
}

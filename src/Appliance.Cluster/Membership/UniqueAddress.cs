namespace Appliance.Cluster.Membership;

/// <summary>
/// One incarnation of a node: its address plus a random id chosen at start. A restarted node is a
/// new incarnation, so messages from the old one are recognised and ignored.
/// </summary>
public sealed record UniqueAddress(NodeAddress Address, ulong Uid) : IComparable<UniqueAddress>
{
    public int CompareTo(UniqueAddress? other)
    {
        if (other is null)
        {
            return 1;
        }

        var byAddress = Address.CompareTo(other.Address);
        return byAddress != 0 ? byAddress : Uid.CompareTo(other.Uid);
    }

    public override string ToString() => $"{Address}#{Uid:x16}";
}

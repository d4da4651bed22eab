namespace Appliance.Vip.Ownership;

/// <summary>This node's role for one VIP, in keepalived's words.</summary>
internal enum VipRole
{
    /// <summary>Another node holds it, or nobody can.</summary>
    Backup,

    /// <summary>This node holds it.</summary>
    Master,
}

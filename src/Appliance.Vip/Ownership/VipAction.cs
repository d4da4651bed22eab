namespace Appliance.Vip.Ownership;

/// <summary>What the driver must do for a VIP.</summary>
internal enum VipActionKind
{
    /// <summary>Put the address on the interface.</summary>
    AddAddress,

    /// <summary>Take the address off the interface.</summary>
    RemoveAddress,

    /// <summary>Send a gratuitous ARP / unsolicited NA burst so neighbours learn our MAC.</summary>
    Announce,
}

/// <summary>One step for the driver, with the reason the transition happened.</summary>
internal sealed record VipAction(VipActionKind Kind, string Vip, string Reason);

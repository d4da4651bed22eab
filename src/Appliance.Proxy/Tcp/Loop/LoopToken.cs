namespace Appliance.Proxy.Tcp.Loop;

/// <summary>
/// The 64-bit value an epoll registration carries: a slot in the loop's handler table, which of the
/// handler's descriptors it is, and the slot's generation. A slot freed when its descriptor closes
/// gets a new generation, so an event still queued for the old descriptor (or for a new descriptor
/// that reused its number) can never reach the wrong handler.
/// </summary>
internal static class LoopToken
{
    /// <summary>The loop's own eventfd; no slot ever packs to it (generations stay below 2^31).</summary>
    public const ulong Wake = ulong.MaxValue;

    public static ulong Pack(int slot, int side, uint generation) =>
        ((ulong)generation << 32) | ((uint)slot << 1) | (uint)(side & 1);

    public static (int Slot, int Side, uint Generation) Unpack(ulong token) =>
        ((int)((uint)token >> 1), (int)(token & 1), (uint)(token >> 32));
}

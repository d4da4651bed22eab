using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Vip.Linux;

/// <summary>rtnetlink RTM_NEWADDR / RTM_DELADDR requests (host byte order, as the kernel expects).</summary>
internal static class NetlinkAddressMessage
{
    public const ushort RtmNewAddr = 20;
    public const ushort RtmDelAddr = 21;
    public const ushort RtmGetAddr = 22;

    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFAck = 0x4;
    private const ushort NlmFRoot = 0x100;
    private const ushort NlmFMatch = 0x200;
    private const ushort NlmFExcl = 0x200;
    private const ushort NlmFCreate = 0x400;

    public const ushort IfaAddress = 1;
    public const ushort IfaLocal = 2;
    public const ushort IfaLabel = 3;

    /// <summary>A request to add (<paramref name="add"/>) or delete <paramref name="address"/>/<paramref name="prefix"/> on interface <paramref name="ifIndex"/>.</summary>
    /// <param name="label">IPv4 only (the kernel keeps no labels for IPv6): how our addresses are recognised, e.g. "eth0:vip".</param>
    public static byte[] Build(bool add, int seq, int ifIndex, IPAddress address, int prefix, string? label)
    {
        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        var addrLen = v4 ? 4 : 16;
        var labelBytes = v4 && label is not null ? Encoding.ASCII.GetBytes(label + "\0") : null;
        var length = 16 + 8 + (2 * Align(4 + addrLen)) + (labelBytes is null ? 0 : Align(4 + labelBytes.Length));
        var m = new byte[length];
        var s = m.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], add ? RtmNewAddr : RtmDelAddr);
        BinaryPrimitives.WriteUInt16LittleEndian(s[6..], add ? (ushort)(NlmFRequest | NlmFAck | NlmFCreate | NlmFExcl) : (ushort)(NlmFRequest | NlmFAck));
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], (uint)seq);

        s[16] = v4 ? (byte)2 : (byte)10; // AF_INET / AF_INET6
        s[17] = (byte)prefix;
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], (uint)ifIndex);

        var at = 24;
        at = Attribute(s, at, IfaLocal, address);
        at = Attribute(s, at, IfaAddress, address);
        if (labelBytes is not null)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(s[at..], (ushort)(4 + labelBytes.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(s[(at + 2)..], IfaLabel);
            labelBytes.CopyTo(s[(at + 4)..]);
        }

        return m;
    }

    /// <summary>A dump request for every address of <paramref name="family"/> (2 or 10).</summary>
    public static byte[] Dump(int seq, byte family)
    {
        var m = new byte[24];
        var s = m.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, 24);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], RtmGetAddr);
        BinaryPrimitives.WriteUInt16LittleEndian(s[6..], NlmFRequest | NlmFRoot | NlmFMatch);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], (uint)seq);
        s[16] = family;
        return m;
    }

    internal static int Align(int n) => (n + 3) & ~3;

    private static int Attribute(Span<byte> s, int at, ushort type, IPAddress address)
    {
        address.TryWriteBytes(s[(at + 4)..], out var n);
        BinaryPrimitives.WriteUInt16LittleEndian(s[at..], (ushort)(4 + n));
        BinaryPrimitives.WriteUInt16LittleEndian(s[(at + 2)..], type);
        return at + Align(4 + n);
    }
}

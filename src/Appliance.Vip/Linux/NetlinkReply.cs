using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Appliance.Vip.Linux;

/// <summary>One address from an RTM_GETADDR dump.</summary>
internal sealed record NetlinkAddress(int IfIndex, IPAddress Address, int Prefix, string? Label);

/// <summary>Reads what the kernel answers on a NETLINK_ROUTE socket.</summary>
internal static class NetlinkReply
{
    private const ushort NlmsgError = 2;
    private const ushort NlmsgDone = 3;

    /// <summary>
    /// Walks the messages in one datagram: addresses go to <paramref name="addresses"/>; returns
    /// the errno of an error/ack (0 = success) when one is present, else null; <paramref name="done"/>
    /// is set at the end of a dump.
    /// </summary>
    public static int? Parse(ReadOnlySpan<byte> data, List<NetlinkAddress>? addresses, out bool done)
    {
        done = false;
        int? result = null;
        while (data.Length >= 16)
        {
            var len = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
            if (len < 16 || len > data.Length)
            {
                break;
            }

            var type = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
            var body = data[16..len];
            if (type == NlmsgError && body.Length >= 4)
            {
                result = -BinaryPrimitives.ReadInt32LittleEndian(body);
            }
            else if (type == NlmsgDone)
            {
                done = true;
            }
            else if (type == NetlinkAddressMessage.RtmNewAddr && addresses is not null && ReadAddress(body) is { } a)
            {
                addresses.Add(a);
            }

            data = data[Math.Min(NetlinkAddressMessage.Align(len), data.Length)..];
        }

        return result;
    }

    private static NetlinkAddress? ReadAddress(ReadOnlySpan<byte> body)
    {
        if (body.Length < 8)
        {
            return null;
        }

        var prefix = body[1];
        var index = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[4..]);
        IPAddress? local = null, address = null;
        string? label = null;
        var attrs = body[8..];
        while (attrs.Length >= 4)
        {
            var alen = BinaryPrimitives.ReadUInt16LittleEndian(attrs);
            var atype = BinaryPrimitives.ReadUInt16LittleEndian(attrs[2..]);
            if (alen < 4 || alen > attrs.Length)
            {
                break;
            }

            var value = attrs[4..alen];
            switch (atype)
            {
                case NetlinkAddressMessage.IfaLocal when value.Length is 4 or 16:
                    local = new IPAddress(value);
                    break;
                case NetlinkAddressMessage.IfaAddress when value.Length is 4 or 16:
                    address = new IPAddress(value);
                    break;
                case NetlinkAddressMessage.IfaLabel:
                    label = Encoding.ASCII.GetString(value).TrimEnd('\0');
                    break;
                default:
                    break;
            }

            attrs = attrs[Math.Min(NetlinkAddressMessage.Align(alen), attrs.Length)..];
        }

        return (local ?? address) is { } ip ? new NetlinkAddress(index, ip, prefix, label) : null;
    }
}

using System.Globalization;
using System.Net.NetworkInformation;
using System.Runtime.Versioning;

namespace Appliance.Vip.Linux;

/// <summary>What the driver needs to know of one interface.</summary>
internal sealed record LinkInfo(string Name, int Index, byte[] Mac, bool Up, bool NoArp)
{
    private const int IffNoArp = 0x80;

    /// <summary>The interface named <paramref name="name"/>, or null when there is none.</summary>
    [SupportedOSPlatform("linux")]
    public static LinkInfo? Find(string name)
    {
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name);
        if (nic is null)
        {
            return null;
        }

        var index = int.Parse(File.ReadAllText($"/sys/class/net/{name}/ifindex").Trim(), CultureInfo.InvariantCulture);
        var flags = Convert.ToInt32(File.ReadAllText($"/sys/class/net/{name}/flags").Trim(), 16);
        return new(name, index, nic.GetPhysicalAddress().GetAddressBytes(), nic.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown, (flags & IffNoArp) != 0);
    }
}

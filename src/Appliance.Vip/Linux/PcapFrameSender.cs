using SharpPcap;
using SharpPcap.LibPcap;

namespace Appliance.Vip.Linux;

/// <summary>
/// Sends whole Ethernet frames through libpcap (SharpPcap's <see cref="LibPcapLiveDevice"/>,
/// not promiscuous). One handle per interface stays open, with a filter that captures nothing,
/// so the kernel copies none of the interface's traffic to us. Failures come back as text for
/// the operator; none escapes.
/// </summary>
internal sealed class PcapFrameSender : IDisposable
{
    /// <summary>Captures nothing: no frame is 0 bytes long.</summary>
    private const string CaptureNothing = "less 0";

    private readonly Dictionary<string, LibPcapLiveDevice> _open = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    /// <summary>Null when libpcap can be loaded, else what to install.</summary>
    public static string? Probe()
    {
        try
        {
            _ = Pcap.LibpcapVersion;
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
        {
            return MissingLibrary(e);
        }
    }

    /// <summary>Sends <paramref name="frames"/> on <paramref name="iface"/>; returns how many went out and the first failure, if any.</summary>
    public (int Sent, string? Error) Send(string iface, IReadOnlyList<byte[]> frames)
    {
        lock (_lock)
        {
            LibPcapLiveDevice device;
            try
            {
                device = Device(iface);
            }
            catch (IndexOutOfRangeException)
            {
                return (0, $"interface '{iface}' is not known to libpcap (no such interface, or it is down and was never up): no gratuitous ARP/NA sent");
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
            {
                return (0, MissingLibrary(e));
            }
            catch (PcapException e)
            {
                return (0, $"cannot open interface '{iface}' with libpcap: {e.Message}");
            }

            var sent = 0;
            foreach (var frame in frames)
            {
                try
                {
                    device.SendPacket(frame);
                    sent++;
                }
                catch (PcapException e)
                {
                    // The interface may have gone away and come back with a new index: reopen next time.
                    Close(iface);
                    return (sent, $"sending on '{iface}' through libpcap failed: {e.Message}");
                }
            }

            return (sent, null);
        }
    }

    private LibPcapLiveDevice Device(string iface)
    {
        if (_open.TryGetValue(iface, out var open))
        {
            return open;
        }

        // A fresh list each time an interface is first used: one created after start is in it.
        var device = LibPcapLiveDeviceList.New()[iface];
        device.Open(new DeviceConfiguration { Mode = DeviceModes.None, Snaplen = 64, ReadTimeout = 100, BufferSize = 64 * 1024 });
        try
        {
            device.Filter = CaptureNothing;
        }
        catch (PcapException)
        {
            // Sending works without the filter; only the kernel's copies cost a little more.
        }

        _open[iface] = device;
        return device;
    }

    private void Close(string iface)
    {
        if (_open.Remove(iface, out var device))
        {
            device.Dispose();
        }
    }

    private static string MissingLibrary(Exception e) =>
        $"libpcap cannot be loaded ({(e.InnerException ?? e).GetType().Name}: the loader looked for 'wpcap'/libpcap.so.0.8): install Debian's libpcap0.8 (apt-get install libpcap0.8)";

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var name in _open.Keys.ToList())
            {
                Close(name);
            }
        }
    }
}

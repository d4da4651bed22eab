using System.Globalization;
using System.Text.RegularExpressions;
using Appliance.Tests.Support.Netns;

namespace Appliance.Tests.Support.Degraded;

/// <summary>How bad a link is: netem's <c>delay D J loss L%</c>, applied to arriving packets.</summary>
/// <param name="LossPerTenThousand">Packets dropped per 10,000 (500 = 5%).</param>
internal sealed record LinkFaults(TimeSpan Delay, TimeSpan Jitter, int LossPerTenThousand)
{
    /// <summary>The issue's link: 100 ms ± 20 ms (so packets overtake each other), 5% loss.</summary>
    public static LinkFaults Degraded { get; } = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(20), 500);
}

/// <summary>
/// Degrades one host's incoming traffic on one port (TCP and UDP, either end of the connection)
/// in its namespace, the way <c>tc qdisc add dev eth0 ... netem</c> on an ifb would, with what this
/// kernel has (no sch_netem, no nft queue expression):
/// <list type="bullet">
/// <item>loss: an nftables rule, <c>numgen random mod 10000 &lt; L drop</c>, before anything else
///   (named counters <c>seen</c> and <c>lost</c> say what it did);</item>
/// <item>delay and reordering: an iptables (nft-compat) <c>NFQUEUE --queue-bypass</c> rule hands
///   the survivors to a <see cref="PacketDelayer"/> in the test process, which accepts each after
///   its own hold.</item>
/// </list>
/// Delaying on the way in (not out) keeps the sender's TCP stack as it is: a packet held in its own
/// output path would still count against the socket's small-queue budget and slow the sender down
/// in a way a real network does not. Every host that degrades its input degrades its half of each
/// link: with both ends of a link degraded, each direction gets the delay and the loss once.
/// Disposing removes the rules first and then releases what the delayer holds.
/// </summary>
internal sealed partial class DegradedLink : IDisposable
{
    private const string Table = "appliance_degrade";
    private const ushort Queue = 0;
    private readonly NetnsHost _host;
    private readonly int _port;
    private readonly PacketDelayer _delayer;
    private int _disposed;

    private DegradedLink(NetnsHost host, int port, PacketDelayer delayer)
    {
        _host = host;
        _port = port;
        _delayer = delayer;
    }

    public PacketDelayer Delayer => _delayer;

    /// <summary>Why links cannot be degraded here (no namespaces, no nft, no iptables), or null.</summary>
    public static string? Unavailable { get; } = NetnsTopology.Unavailable ?? FindUnavailable();

    /// <summary>Degrades what <paramref name="host"/> receives on <paramref name="port"/>; the delayer is bound before any packet is queued.</summary>
    public static DegradedLink Apply(NetnsHost host, int port, LinkFaults faults, int seed)
    {
        var delayer = new PacketDelayer(host.Namespace, Queue, faults.Delay, faults.Jitter, maxLength: 4096, seed);
        var link = new DegradedLink(host, port, delayer);
        try
        {
            var p = port.ToString(CultureInfo.InvariantCulture);
            var loss = faults.LossPerTenThousand.ToString(CultureInfo.InvariantCulture);
            link.Nft($$"""
                table inet {{Table}} {
                  counter seen { }
                  counter lost { }
                  chain degrade {
                    counter name "seen"
                    numgen random mod 10000 < {{loss}} counter name "lost" drop
                  }
                  chain input {
                    type filter hook input priority -10; policy accept;
                    iifname "eth0" meta l4proto { tcp, udp } th dport {{p}} jump degrade
                    iifname "eth0" meta l4proto { tcp, udp } th sport {{p}} jump degrade
                  }
                }
                """);
            foreach (var protocol in new[] { "tcp", "udp" })
            {
                foreach (var end in new[] { "--dport", "--sport" })
                {
                    link.Iptables("-A", "INPUT", "-i", "eth0", "-p", protocol, end, p, "-j", "NFQUEUE", "--queue-num", Queue.ToString(CultureInfo.InvariantCulture), "--queue-bypass");
                }
            }

            return link;
        }
        catch
        {
            link.Dispose();
            throw;
        }
    }

    /// <summary>Packets that reached the loss rule, and those it dropped.</summary>
    public (long Seen, long Lost) Counters()
    {
        var text = Run(["ip", "netns", "exec", _host.Namespace, "nft", "list", "counters", "table", "inet", Table]);
        var found = CounterPattern().Matches(text).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        return (found.GetValueOrDefault("seen"), found.GetValueOrDefault("lost"));
    }

    /// <summary>
    /// The kernel's view of the queue (/proc/net/netfilter/nfnetlink_queue in the namespace):
    /// packets waiting now, dropped because the queue was full, and lost on the way to the delayer.
    /// </summary>
    public (long Waiting, long QueueDropped, long UserDropped) QueueStats()
    {
        var line = Run(["ip", "netns", "exec", _host.Namespace, "cat", "/proc/net/netfilter/nfnetlink_queue"]).Split('\n')[0];
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return f.Length >= 7
            ? (long.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[5], CultureInfo.InvariantCulture), long.Parse(f[6], CultureInfo.InvariantCulture))
            : (0, 0, 0);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Rules first (nothing new is queued), then the delayer lets go of what it holds.
        TryRun(["ip", "netns", "exec", _host.Namespace, "iptables-nft", "-F", "INPUT"]);
        TryRun(["ip", "netns", "exec", _host.Namespace, "nft", "delete", "table", "inet", Table]);
        _delayer.Dispose();
    }

    public override string ToString() => $"{_host.Name} port {_port}";

    private void Nft(string ruleset)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, ruleset);
            Run(["ip", "netns", "exec", _host.Namespace, "nft", "-f", file]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private void Iptables(params string[] args) => Run(["ip", "netns", "exec", _host.Namespace, "iptables-nft", .. args]);

    private static string Run(string[] command)
    {
        var (code, output) = TryRun(command);
        return code == 0 ? output : throw new InvalidOperationException($"{string.Join(' ', command)} failed ({code}): {output}");
    }

    /// <summary>Runs a command (with a 30 s bound, as the topology does); its exit code and output.</summary>
    private static (int Code, string Output) TryRun(string[] command) => NetnsTopology.Run(command[0], command.Skip(1));

    private static string? FindUnavailable()
    {
        if (!new[] { "/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft" }.Any(File.Exists))
        {
            return "needs nftables for packet loss (apt-get install nftables)";
        }

        if (!new[] { "/usr/sbin/iptables-nft", "/sbin/iptables-nft", "/usr/bin/iptables-nft" }.Any(File.Exists))
        {
            return "needs iptables-nft for the NFQUEUE delay rule (apt-get install iptables)";
        }

        return null;
    }

    [GeneratedRegex(@"counter (seen|lost) \{\s*packets (\d+)")]
    private static partial Regex CounterPattern();
}

/// <summary>
/// A fact that degrades links between namespaces: skipped with the reason shown where the machine
/// cannot. With <see cref="Long"/>, also skipped unless <c>APPLIANCE_FAULTS=1</c> (as <see cref="FaultFactAttribute"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class DegradedLinkFactAttribute : FactAttribute
{
    private string? _long;

    public DegradedLinkFactAttribute()
    {
        if (DegradedLink.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>What the long test does, for its skip reason.</summary>
    public string? Long
    {
        get => _long;
        set
        {
            _long = value;
            if (Skip is null && !FaultFactAttribute.Enabled)
            {
                Skip = $"long fault test ({value}): run bash scripts/faults.sh, or set {FaultFactAttribute.Variable}=1";
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Appliance.Tests.Support.Netns;

/// <summary>
/// A small network for VIP, crash and partition tests: a bridge in a "switch" namespace and one
/// namespace per host (balancers, backends, a client), each joined to the bridge by a veth with an
/// address in 198.18.1.0/24 (balancers .11+, backends .21+, client .100). Names are unique per
/// topology (prefix with this process id and a counter), so parallel tests never collide.
/// Everything is removed on <see cref="Dispose"/>, on process exit, and (for namespaces left by a
/// crashed test run) when the next topology is created and the run that made them is gone.
/// </summary>
internal sealed class NetnsTopology : IDisposable
{
    public const string Prefix = "vt";
    public const string Subnet = "198.18.1";
    private static readonly ConcurrentDictionary<NetnsTopology, bool> Live = new();
    private static int _counter;

    private readonly List<NetnsHost> _hosts = [];
    private readonly List<DaemonProcess> _daemons = [];
    private readonly string _switch;
    private int _disposed;

    static NetnsTopology() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var topology in Live.Keys)
        {
            topology.Dispose();
        }
    };

    private NetnsTopology(string id)
    {
        Id = id;
        _switch = id + "sw";
    }

    /// <summary>The unique prefix of this topology's namespace names.</summary>
    public string Id { get; }

    public IReadOnlyList<NetnsHost> Balancers { get; private set; } = [];

    public IReadOnlyList<NetnsHost> Backends { get; private set; } = [];

    public NetnsHost Client { get; private set; } = null!;

    /// <summary>Why these tests cannot run here (not Linux, not root, no <c>ip</c>), or null when they can.</summary>
    public static string? Unavailable { get; } = FindUnavailable();

    /// <summary>Builds the network; on any failure, removes what it built and throws.</summary>
    public static NetnsTopology Create(int balancers, int backends = 2)
    {
        if (Unavailable is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        RemoveLeftovers();
        var topology = new NetnsTopology($"{Prefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}x{Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture)}");
        Live[topology] = true;
        try
        {
            topology.Build(balancers, backends);
            return topology;
        }
        catch
        {
            topology.Dispose();
            throw;
        }
    }

    /// <summary>Starts applianced in <paramref name="host"/>; it is killed on dispose.</summary>
    public DaemonProcess StartDaemon(NetnsHost host, params string[] args)
    {
        var daemon = host.StartDaemon(args);
        lock (_daemons)
        {
            _daemons.Add(daemon);
        }

        return daemon;
    }

    /// <summary>Cuts <paramref name="host"/> off the bridge (its switch port goes down): a partition.</summary>
    public void LinkDown(NetnsHost host) => Ip("-n", _switch, "link", "set", host.SwitchPort, "down");

    /// <summary>Joins <paramref name="host"/> to the bridge again.</summary>
    public void LinkUp(NetnsHost host) => Ip("-n", _switch, "link", "set", host.SwitchPort, "up");

    /// <summary>Runs <c>ip ARGS</c>; throws with its output when it fails.</summary>
    public static string Ip(params string[] args)
    {
        var (code, output) = Run("ip", args);
        return code == 0 ? output : throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({code}): {output}");
    }

    /// <summary>The MAC after <paramref name="keyword"/> in <c>ip</c> output, lower case, or null.</summary>
    public static string? ParseMac(string output, string keyword)
    {
        var words = output.Split([' ', '\n', '\\'], StringSplitOptions.RemoveEmptyEntries);
        var i = Array.IndexOf(words, keyword);
        return i >= 0 && i + 1 < words.Length ? words[i + 1].ToLowerInvariant() : null;
    }

    private void Build(int balancers, int backends)
    {
        Ip("netns", "add", _switch);
        Ip("-n", _switch, "link", "add", "br0", "type", "bridge");
        Ip("-n", _switch, "link", "set", "br0", "up");
        Balancers = [.. Enumerable.Range(1, balancers).Select(i => AddHost($"lb{i}", $"{Subnet}.{10 + i}"))];
        Backends = [.. Enumerable.Range(1, backends).Select(i => AddHost($"backend{i}", $"{Subnet}.{20 + i}"))];
        Client = AddHost("client", $"{Subnet}.100");
    }

    private NetnsHost AddHost(string name, string address)
    {
        var host = new NetnsHost(name, Id + name, address, name);
        _hosts.Add(host);
        Ip("netns", "add", host.Namespace);

        // Made inside the switch namespace with its peer straight in the host's: no name ever
        // exists in the root namespace, where parallel topologies would collide.
        Ip("-n", _switch, "link", "add", host.SwitchPort, "type", "veth", "peer", "name", "eth0", "netns", host.Namespace);
        Ip("-n", _switch, "link", "set", host.SwitchPort, "master", "br0", "up");
        host.Ip("addr", "add", $"{address}/24", "dev", "eth0");
        host.Ip("link", "set", "eth0", "up");
        host.Ip("link", "set", "lo", "up");
        return host;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        lock (_daemons)
        {
            foreach (var daemon in _daemons)
            {
                daemon.Dispose();
            }
        }

        foreach (var host in _hosts)
        {
            host.Dispose();
            Run("ip", ["netns", "del", host.Namespace]);
        }

        Run("ip", ["netns", "del", _switch]);
        Live.TryRemove(this, out _);
    }

    /// <summary>Namespaces of an earlier test run that died before it could remove them.</summary>
    private static void RemoveLeftovers()
    {
        foreach (var line in Run("ip", ["netns", "list"]).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ')[0];
            var x = name.IndexOf('x', StringComparison.Ordinal);
            if (name.StartsWith(Prefix, StringComparison.Ordinal) && x > Prefix.Length
                && int.TryParse(name.AsSpan(Prefix.Length, x - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}"))
            {
                Run("ip", ["netns", "del", name]);
            }
        }
    }

    internal static (int Code, string Output) Run(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill();
            return (-1, "timed out");
        }

        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? FindUnavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "needs Linux (network namespaces)";
        }

        if (Environment.UserName != "root")
        {
            return "needs root to build network namespaces (run the tests as root to include it)";
        }

        if (!new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.Any(File.Exists))
        {
            return "needs the 'ip' tool (apt-get install iproute2)";
        }

        return null;
    }
}

/// <summary>A fact that needs a <see cref="NetnsTopology"/>: skipped with the reason shown where the machine cannot build one.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NetnsFactAttribute : FactAttribute
{
    public NetnsFactAttribute()
    {
        if (NetnsTopology.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}

using System.Net;
using Appliance.Core.Configuration;
using Appliance.Proxy.Health;
using Appliance.Proxy.Model;

namespace Appliance.Proxy.Tcp;

/// <summary>
/// Live state of one TCP backend on this node. Admin state, weight override, connection slots and
/// slow start are the same <see cref="BackendRuntime"/> HTTP destinations use; on top come the
/// address, the active-check verdict and the passive-check state. Survives reloads by id.
/// </summary>
internal sealed class TcpBackendRuntime
{
    private readonly Lock _passiveLock = new();
    private volatile IPEndPoint _endpoint;
    private volatile int _verdict = (int)ProbeVerdict.Unknown;
    private RiseFallCounter _probes = RiseFallCounter.Initial;
    private PassiveFailureTracker? _passive;
    private long _passiveDownUntilTicks = long.MinValue;
    private long _connections;

    public TcpBackendRuntime(string poolId, string id, TcpBackendOptions options, IPEndPoint endpoint)
    {
        Core = new BackendRuntime(poolId, id, ToMetadata(options), keyPrefix: "tcp/");
        _endpoint = endpoint;
    }

    /// <summary>Admin state, weight, slots, slow start and counters (connect failures, retries).</summary>
    public BackendRuntime Core { get; }

    public string Id => Core.DestinationId;

    /// <summary><c>tcp/{pool}/{backend}</c>, the key in the connection counts and the session table's values.</summary>
    public string Key => Core.Key;

    public IPEndPoint EndPoint => _endpoint;

    /// <summary>What active checks say; <see cref="ProbeVerdict.Unknown"/> when checks are off or have not run.</summary>
    public ProbeVerdict Health => (ProbeVerdict)_verdict;

    /// <summary>Connections made to this backend since start.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Up for new connections: not failed by active checks, not resting after passive failures.</summary>
    public bool IsUp(DateTimeOffset now) =>
        Health != ProbeVerdict.Unhealthy && now.UtcTicks >= Interlocked.Read(ref _passiveDownUntilTicks);

    /// <summary>True while passive checks rest the backend after connect failures.</summary>
    public bool IsPassivelyDown(DateTimeOffset now) => now.UtcTicks < Interlocked.Read(ref _passiveDownUntilTicks);

    public void Reconfigure(TcpBackendOptions options, IPEndPoint endpoint)
    {
        Core.Reconfigure(ToMetadata(options));
        _endpoint = endpoint;
    }

    /// <summary>Feeds one active check result (only the pool's check loop calls this).</summary>
    public void RecordProbe(bool good, int rise, int fall, DateTimeOffset now)
    {
        var before = _probes.Verdict;
        _probes = _probes.Next(good, rise, fall);
        _verdict = (int)_probes.Verdict;
        if (before == ProbeVerdict.Unhealthy && _probes.Verdict == ProbeVerdict.Healthy)
        {
            Core.MarkRecovered(now);
        }
    }

    /// <summary>Forgets active check results (checks were turned off).</summary>
    public void ResetProbes()
    {
        _probes = RiseFallCounter.Initial;
        _verdict = (int)ProbeVerdict.Unknown;
    }

    /// <summary>Feeds the outcome of a real connect to the passive check; true when it just marked the backend down.</summary>
    public bool RecordConnect(bool failed, PassiveHealthOptions options, DateTimeOffset now)
    {
        if (!failed)
        {
            Interlocked.Increment(ref _connections);
        }

        if (!options.Enabled)
        {
            return false;
        }

        lock (_passiveLock)
        {
            if (_passive is null || !_passive.Options.Equals(options))
            {
                _passive = new PassiveFailureTracker(options);
            }

            if (!_passive.Record(failed, now))
            {
                return false;
            }

            Interlocked.Exchange(ref _passiveDownUntilTicks, (now + options.ReactivationPeriod).UtcTicks);
            Core.MarkRecovered(now + options.ReactivationPeriod);
            return true;
        }
    }

    private static DestinationMetadata ToMetadata(TcpBackendOptions options) => new()
    {
        Weight = options.Weight,
        MaxRequests = options.MaxConnections,
        InitialState = options.State,
    };
}

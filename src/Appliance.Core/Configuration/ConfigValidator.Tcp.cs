namespace Appliance.Core.Configuration;

public static partial class ConfigValidator
{
    private const int MaxExpectLength = 4096;
    private static readonly string[] ProxyProtocolVersions = ["None", "V1", "V2"];

    /// <summary>Checks <c>Tcp</c>; TCP listener addresses join <paramref name="bound"/> so no two listeners of any kind share a port.</summary>
    private static void ValidateTcp(TcpOptions tcp, List<BoundEndpoint> bound, List<ConfigError> errors)
    {
        foreach (var (name, listener) in tcp.Listeners)
        {
            ValidateTcpListener(listener, JsonPaths.Property("$.Tcp.Listeners", name), tcp.Pools, bound, errors);
        }

        foreach (var (id, pool) in tcp.Pools)
        {
            ValidateTcpPool(pool, JsonPaths.Property("$.Tcp.Pools", id), errors);
        }
    }

    private static void ValidateTcpListener(
        TcpListenerOptions listener, string path, IReadOnlyDictionary<string, TcpPoolOptions> pools,
        List<BoundEndpoint> bound, List<ConfigError> errors)
    {
        var addressPath = $"{path}.Address";
        if (!EndpointParser.TryParseEndpoint(listener.Address, out var host, out var port, out var error))
        {
            errors.Add(new(addressPath, $"the listener address is not valid: {error}"));
        }
        else
        {
            var clash = bound.FirstOrDefault(other => other.Port == port && HostsOverlap(other.Host, host));
            if (clash is not null)
            {
                errors.Add(new(addressPath, $"'{listener.Address}' overlaps {clash.Path} ('{clash.Text}'): two listeners cannot bind the same port "
                    + "on the same address. Use another port or another address."));
            }

            bound.Add(new(addressPath, listener.Address, host, port));
        }

        if (string.IsNullOrWhiteSpace(listener.Pool))
        {
            errors.Add(new($"{path}.Pool", "the listener names no pool: set \"Pool\" to a pool of Tcp.Pools ("
                + UseOneOf(pools.Keys, "", "none is defined yet: add one there") + ")."));
        }
        else if (!pools.ContainsKey(listener.Pool))
        {
            errors.Add(new($"{path}.Pool", $"'{listener.Pool}' is not a pool under Tcp.Pools:{NameSuggestions.Hint(listener.Pool, pools.Keys)} "
                + UseOneOf(pools.Keys, " or add that pool.", "no pool is defined at all: add this one under Tcp.Pools.")));
        }

        if (listener.MaxConnections < 0)
        {
            errors.Add(new($"{path}.MaxConnections", "must be 0 or more: the most connections forwarded at once, 0 for no limit."));
        }

        ValidateQueue(listener.Queue, $"{path}.Queue", "0 refuses connections at once when the listener is full", errors);
        RequirePositive(listener.IdleTimeout, $"{path}.IdleTimeout", "how long a connection may carry no data before it is closed", errors);
        if (listener.DrainTimeout < TimeSpan.Zero)
        {
            errors.Add(new($"{path}.DrainTimeout", "must not be negative: \"00:00:00\" cuts open connections at once on shutdown."));
        }

        if (listener.AcceptProxyProtocol is { } accept)
        {
            var trustedPath = $"{path}.AcceptProxyProtocol.TrustedProxies";
            if (accept.TrustedProxies.Count == 0)
            {
                errors.Add(new(trustedPath, "no front is trusted, so no PROXY header would ever be read: list the fronts' addresses "
                    + "(e.g. [\"10.0.0.1\", \"10.2.0.0/24\"]), or remove AcceptProxyProtocol."));
            }

            for (var i = 0; i < accept.TrustedProxies.Count; i++)
            {
                if (!IpText.TryParseAddressOrNetwork(accept.TrustedProxies[i], out var trustError))
                {
                    errors.Add(new(JsonPaths.Index(trustedPath, i), trustError));
                }
            }

            RequirePositive(accept.HeaderTimeout, $"{path}.AcceptProxyProtocol.HeaderTimeout", "how long a front may take to send its PROXY header", errors);
        }
    }

    private static void ValidateTcpPool(TcpPoolOptions pool, string path, List<ConfigError> errors)
    {
        if (!IsOneOf(pool.Policy, PolicyNames.LoadBalancingPolicies))
        {
            errors.Add(new($"{path}.Policy", $"'{pool.Policy}' is not a load-balancing policy:"
                + $"{NameSuggestions.Hint(pool.Policy, PolicyNames.LoadBalancingPolicies)} use one of {Quote(PolicyNames.LoadBalancingPolicies)} "
                + "(ConsistentHash hashes the client IP address)."));
        }

        if (pool.Backends.Count == 0)
        {
            errors.Add(new($"{path}.Backends", "the pool has no backends: add at least one, e.g. \"db1\": { \"Address\": \"10.0.1.11:5432\" }."));
        }

        foreach (var (id, backend) in pool.Backends)
        {
            var backendPath = JsonPaths.Property($"{path}.Backends", id);
            if (!EndpointParser.TryParseDestination(backend.Address, out _, out var error))
            {
                errors.Add(new($"{backendPath}.Address", $"the backend address is not valid: {error}"));
            }

            if (backend.Weight is < 0 or > DestinationMetadata.MaxWeight)
            {
                errors.Add(new($"{backendPath}.Weight", $"{backend.Weight} is not a weight: use a whole number from 0 (no new connections) to {DestinationMetadata.MaxWeight}."));
            }

            if (backend.MaxConnections < 0)
            {
                errors.Add(new($"{backendPath}.MaxConnections", "must be 0 or more: the most connections open to this backend at once, 0 for no limit."));
            }
        }

        RequirePositive(pool.ConnectTimeout, $"{path}.ConnectTimeout", "how long a connect to a backend may take", errors);
        if (pool.Retries is < 0 or > MaxRetries)
        {
            errors.Add(new($"{path}.Retries", $"must be from 0 to {MaxRetries}: the number of other backends a connection may try after a failed connect."));
        }

        ValidateQueue(pool.Queue, $"{path}.Queue", "0 refuses connections at once when every backend is full", errors);
        if (pool.SlowStart < TimeSpan.Zero)
        {
            errors.Add(new($"{path}.SlowStart", "must not be negative: \"00:00:00\" turns slow start off."));
        }

        RequirePositive(pool.Sticky.IdleTimeout, $"{path}.Sticky.IdleTimeout", "how long an unused client pin is kept", errors);
        ValidateTcpHealth(pool.HealthCheck, $"{path}.HealthCheck", errors);
        ValidatePassive(pool.PassiveHealthCheck, $"{path}.PassiveHealthCheck", errors);
        if (pool.PassiveHealthCheck.CountServerErrors)
        {
            errors.Add(new($"{path}.PassiveHealthCheck.CountServerErrors", "TCP has no server error answers to count (only failed connects count): remove the key or set it to false."));
        }

        if (!IsOneOf(pool.SendProxyProtocol, ProxyProtocolVersions))
        {
            errors.Add(new($"{path}.SendProxyProtocol", $"'{pool.SendProxyProtocol}' is not a PROXY protocol choice: use one of {Quote(ProxyProtocolVersions)}."));
        }
    }

    private static void ValidateTcpHealth(TcpHealthCheckOptions health, string path, List<ConfigError> errors)
    {
        RequirePositive(health.Interval, $"{path}.Interval", "the time between two checks of a backend", errors);
        RequirePositive(health.Timeout, $"{path}.Timeout", "how long one check may take", errors);
        RequireAtLeastOne(health.Rise, $"{path}.Rise", "good checks in a row mark a backend up", errors);
        RequireAtLeastOne(health.Fall, $"{path}.Fall", "bad checks in a row mark a backend down", errors);
        if (health.Send is { Length: 0 })
        {
            errors.Add(new($"{path}.Send", "is empty: give the text to send (e.g. \"PING\\r\\n\"), or remove the key to send nothing."));
        }

        if (health.Expect is { Length: 0 })
        {
            errors.Add(new($"{path}.Expect", "is empty, which every answer contains: give the text to look for (e.g. \"+PONG\"), or remove the key."));
        }
        else if (health.Expect is { Length: > MaxExpectLength })
        {
            errors.Add(new($"{path}.Expect", $"is longer than {MaxExpectLength} characters, and only the first 4 KiB of an answer are read: shorten it."));
        }
    }

    private static void ValidateQueue(QueueOptions queue, string path, string zeroMeaning, List<ConfigError> errors)
    {
        if (queue.MaxLength < 0)
        {
            errors.Add(new($"{path}.MaxLength", $"must be 0 or more: {zeroMeaning}."));
        }

        RequirePositive(queue.Timeout, $"{path}.Timeout", "how long a queued connection waits", errors);
    }
}

namespace Appliance.Core.Configuration;

public static partial class ConfigValidator
{
    private const int MaxRetries = 10;

    private static void ValidateBalancing(BalancingOptions balancing, ProxySection proxy, List<ConfigError> errors)
    {
        foreach (var (clusterId, options) in balancing.Clusters)
        {
            var path = JsonPaths.Property("$.Balancing.Clusters", clusterId);
            if (!proxy.Clusters.ContainsKey(clusterId))
            {
                errors.Add(new(path, $"'{clusterId}' is not a cluster under ReverseProxy.Clusters, so these settings would apply to nothing: "
                    + UseOneOf(proxy.Clusters.Keys, ".", "no cluster is defined under ReverseProxy.Clusters: add it there, or remove these settings.")));
            }

            ValidateClusterBalancing(options, path, errors);
        }

        foreach (var (routeId, options) in balancing.Routes)
        {
            var path = JsonPaths.Property("$.Balancing.Routes", routeId);
            if (!proxy.Routes.ContainsKey(routeId))
            {
                errors.Add(new(path, $"'{routeId}' is not a route under ReverseProxy.Routes, so these settings would apply to nothing: "
                    + UseOneOf(proxy.Routes.Keys, ".", "no route is defined under ReverseProxy.Routes: add it there, or remove these settings.")));
            }

            if (options.RateLimit is { } limit)
            {
                if (!(limit.RequestsPerSecond > 0))
                {
                    errors.Add(new($"{path}.RateLimit.RequestsPerSecond", "must be more than 0 (tokens added per second per client); remove RateLimit for no limit."));
                }

                if (limit.Burst < 1)
                {
                    errors.Add(new($"{path}.RateLimit.Burst", "must be at least 1: it is how many requests a client may send at once."));
                }
            }
        }
    }

    private static void ValidateClusterBalancing(ClusterBalancingOptions options, string path, List<ConfigError> errors)
    {
        var hashKey = options.HashKey;
        if (!IsOneOf(hashKey.Source, HashKeySources.All))
        {
            errors.Add(new($"{path}.HashKey.Source", $"'{hashKey.Source}' is not a hash key source: use one of {Quote(HashKeySources.All)}."));
        }
        else if (HashKeySources.NeedsName(hashKey.Source) && string.IsNullOrWhiteSpace(hashKey.Name))
        {
            errors.Add(new($"{path}.HashKey.Name", $"the {hashKey.Source} source needs the {hashKey.Source.ToLowerInvariant()} name to hash: set \"Name\", e.g. \"X-User\"."));
        }

        if (options.Queue.MaxLength < 0)
        {
            errors.Add(new($"{path}.Queue.MaxLength", "must be 0 or more: 0 answers 503 at once when every backend is full."));
        }

        RequirePositive(options.Queue.Timeout, $"{path}.Queue.Timeout", "how long a queued request waits", errors);
        if (options.SlowStart < TimeSpan.Zero)
        {
            errors.Add(new($"{path}.SlowStart", "must not be negative: \"00:00:00\" turns slow start off."));
        }

        if (options.Retries is < 0 or > MaxRetries)
        {
            errors.Add(new($"{path}.Retries", $"must be from 0 to {MaxRetries}: the number of other backends a failed idempotent request may try."));
        }

        if (!IsOneOf(options.Forwarder, ForwarderModes.All))
        {
            errors.Add(new($"{path}.Forwarder", $"'{options.Forwarder}' is not a forwarder: use one of {Quote(ForwarderModes.All)}."));
        }

        var health = options.HealthCheck;
        if (!StatusRanges.TryParse(health.ExpectedStatus, out _, out var statusError))
        {
            errors.Add(new($"{path}.HealthCheck.ExpectedStatus", statusError));
        }

        RequireAtLeastOne(health.Rise, $"{path}.HealthCheck.Rise", "good probes in a row mark a backend up", errors);
        RequireAtLeastOne(health.Fall, $"{path}.HealthCheck.Fall", "bad probes in a row mark a backend down", errors);
        ValidatePassive(options.PassiveHealthCheck, $"{path}.PassiveHealthCheck", errors);
        RequirePositive(options.SessionIdleTimeout, $"{path}.SessionIdleTimeout", "how long an unused sticky session is kept", errors);
    }

    private static void ValidatePassive(PassiveHealthOptions passive, string path, List<ConfigError> errors)
    {
        if (passive.ConsecutiveFailures < 0)
        {
            errors.Add(new($"{path}.ConsecutiveFailures", "must be 0 or more (0 turns the consecutive-failures rule off)."));
        }

        if (!(passive.FailureRate is >= 0 and <= 1))
        {
            errors.Add(new($"{path}.FailureRate", "must be from 0 to 1, a share of requests such as 0.5 (0 turns the failure-rate rule off)."));
        }

        if (passive.Enabled && passive.ConsecutiveFailures == 0 && passive.FailureRate == 0)
        {
            errors.Add(new(path, "passive health checking is enabled but both rules are off (ConsecutiveFailures and FailureRate are 0): "
                + "set at least one of them, or set Enabled to false."));
        }

        RequireAtLeastOne(passive.MinimumRequests, $"{path}.MinimumRequests", "requests in the window before the failure rate counts", errors);
        RequirePositive(passive.Window, $"{path}.Window", "the span the failure rate is measured over", errors);
        RequirePositive(passive.ReactivationPeriod, $"{path}.ReactivationPeriod", "how long a passively failed backend rests before it is tried again", errors);
    }

    private static void RequirePositive(TimeSpan value, string path, string meaning, List<ConfigError> errors)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add(new(path, $"must be more than zero ({meaning}): write a duration such as \"00:00:05\"."));
        }
    }

    private static void RequireAtLeastOne(int value, string path, string meaning, List<ConfigError> errors)
    {
        if (value < 1)
        {
            errors.Add(new(path, $"must be at least 1 ({meaning})."));
        }
    }
}

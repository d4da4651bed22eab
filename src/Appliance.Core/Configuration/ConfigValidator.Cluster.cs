namespace Appliance.Core.Configuration;

public static partial class ConfigValidator
{
    private static void ValidateCluster(NodeClusterOptions? cluster, List<ConfigError> errors)
    {
        if (cluster is null)
        {
            return;
        }

        const string Root = "$.Cluster";
        var wildcard = false;
        if (!EndpointParser.TryParseEndpoint(cluster.BindAddress, out var bindHost, out _, out var bindError,
            "write host:port, e.g. \"10.0.0.11:7946\", or \"0.0.0.0:7946\" with an AdvertiseAddress."))
        {
            errors.Add(new($"{Root}.BindAddress", $"the cluster bind address is not valid: {bindError}"));
        }
        else
        {
            wildcard = bindHost is EndpointParser.AnyHost or "0.0.0.0" or "::";
        }

        if (cluster.AdvertiseAddress is { } advertise)
        {
            const string AdvertiseExample = "write this node's own IP and cluster port, e.g. \"10.0.0.11:7946\".";
            if (!EndpointParser.TryParseEndpoint(advertise, out var host, out _, out var error, AdvertiseExample))
            {
                errors.Add(new($"{Root}.AdvertiseAddress", $"'{advertise}' is not an address other nodes can reach: {error}"));
            }
            else if (host is EndpointParser.AnyHost or "0.0.0.0" or "::")
            {
                errors.Add(new($"{Root}.AdvertiseAddress", $"'{advertise}' is not an address other nodes can reach: a wildcard cannot be advertised; {AdvertiseExample}"));
            }
        }
        else if (wildcard)
        {
            errors.Add(new($"{Root}.AdvertiseAddress", $"BindAddress '{cluster.BindAddress}' is a wildcard, so other nodes cannot know how to reach this one: set AdvertiseAddress to this node's own IP and cluster port, e.g. \"10.0.0.11:7946\"."));
        }

        if (cluster.Seeds.Count == 0)
        {
            errors.Add(new($"{Root}.Seeds", "no seeds: list the cluster addresses of the nodes to join through (usually every node, this one included)."));
        }

        const string SeedExample = "write host:port, e.g. \"10.0.0.12:7946\".";
        for (var i = 0; i < cluster.Seeds.Count; i++)
        {
            if (!EndpointParser.TryParseEndpoint(cluster.Seeds[i], out var host, out _, out var error, SeedExample))
            {
                errors.Add(new(JsonPaths.Index($"{Root}.Seeds", i), $"'{cluster.Seeds[i]}' is not a seed address: {error}"));
            }
            else if (host == EndpointParser.AnyHost)
            {
                errors.Add(new(JsonPaths.Index($"{Root}.Seeds", i), $"'{cluster.Seeds[i]}' is not a seed address: a wildcard cannot be reached; {SeedExample}"));
            }
        }

        if (string.IsNullOrWhiteSpace(cluster.KeyFile))
        {
            errors.Add(new($"{Root}.KeyFile", "no cluster key file: the cluster's TLS certificates are derived from a shared key. Create one with `head -c 32 /dev/urandom | base64 > /etc/appliance/cluster.key` on one node, copy it to the others, and name it here."));
        }
        else if (!File.Exists(cluster.KeyFile))
        {
            errors.Add(new($"{Root}.KeyFile", $"the cluster key file '{cluster.KeyFile}' does not exist: create it with `head -c 32 /dev/urandom | base64 > {cluster.KeyFile}` and copy the same file to every node."));
        }

        Positive(cluster.HeartbeatInterval, $"{Root}.HeartbeatInterval", errors);
        Positive(cluster.AcceptableHeartbeatPause, $"{Root}.AcceptableHeartbeatPause", errors, allowZero: true);
        Positive(cluster.MinStdDeviation, $"{Root}.MinStdDeviation", errors);
        Positive(cluster.DownAfter, $"{Root}.DownAfter", errors);
        Positive(cluster.SeedJoinTimeout, $"{Root}.SeedJoinTimeout", errors);
        Positive(cluster.GossipInterval, $"{Root}.GossipInterval", errors);
        if (!string.IsNullOrEmpty(cluster.SessionSnapshotFile))
        {
            if (!Path.IsPathFullyQualified(cluster.SessionSnapshotFile))
            {
                errors.Add(new($"{Root}.SessionSnapshotFile", $"'{cluster.SessionSnapshotFile}' is not an absolute path: write a full path, e.g. \"{NodeClusterOptions.DefaultSessionSnapshotFile}\", or null to keep no snapshot."));
            }
            else if (Directory.Exists(cluster.SessionSnapshotFile) || cluster.SessionSnapshotFile.EndsWith('/'))
            {
                errors.Add(new($"{Root}.SessionSnapshotFile", $"'{cluster.SessionSnapshotFile}' is a directory: name a file in it, e.g. \"{Path.Combine(cluster.SessionSnapshotFile, "sessions.snapshot")}\"."));
            }
        }

        if (cluster.SessionSnapshotInterval < TimeSpan.FromSeconds(1) || cluster.SessionSnapshotInterval > TimeSpan.FromHours(1))
        {
            errors.Add(new($"{Root}.SessionSnapshotInterval", $"{cluster.SessionSnapshotInterval} is not a usable snapshot interval: use 00:00:01 to 01:00:00 (00:00:10 is usual; shorter loses fewer sessions to a crash, longer writes less)."));
        }
        if (cluster.PhiThreshold is <= 0 or > 100)
        {
            errors.Add(new($"{Root}.PhiThreshold", $"{cluster.PhiThreshold} is not a usable threshold: use a number above 0 (8 is usual; higher means slower but surer detection)."));
        }

        if (cluster.MaxFrameSize is < 64 * 1024 or > 64 * 1024 * 1024)
        {
            errors.Add(new($"{Root}.MaxFrameSize", $"{cluster.MaxFrameSize} bytes is outside 65536..67108864: full gossip must fit, and a hostile peer must not make us allocate without bound."));
        }
    }

    private static void Positive(TimeSpan value, string path, List<ConfigError> errors, bool allowZero = false)
    {
        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
        {
            errors.Add(new(path, $"'{value}' must be {(allowZero ? "zero or more" : "more than zero")}: write a duration such as \"00:00:00.500\"."));
        }
    }
}

namespace Appliance.Management.Contracts;

/// <summary>
/// The admin API's routes, shared by the server and <c>appliancectl</c> so the two cannot drift.
/// Everything under <see cref="ApiRoot"/> is JSON; <see cref="Metrics"/> is Prometheus text.
/// </summary>
public static class AdminPaths
{
    /// <summary>Version 1 of the API. A breaking change gets a new root, never an edit here.</summary>
    public const string ApiRoot = "/api/v1";

    public const string Status = ApiRoot + "/status";
    public const string ClusterMembers = ApiRoot + "/cluster/members";
    public const string Vips = ApiRoot + "/vips";
    public const string ClusterReplication = ApiRoot + "/cluster/replication";
    public const string Backends = ApiRoot + "/backends";

    /// <summary>TCP (layer 4) pools and their backends: the same shapes and actions as <see cref="Backends"/>, their own id space.</summary>
    public const string TcpBackends = ApiRoot + "/tcp/backends";
    public const string Sessions = ApiRoot + "/sessions";
    public const string ConfigValidate = ApiRoot + "/config/validate";
    public const string ConfigReload = ApiRoot + "/config/reload";
    public const string NodeLeave = ApiRoot + "/node/leave";
    public const string Traffic = ApiRoot + "/traffic";
    public const string Metrics = "/metrics";

    /// <summary><c>{root}/{cluster}/{backend}</c>, escaped; root is <see cref="Backends"/> or <see cref="TcpBackends"/>.</summary>
    public static string Backend(string cluster, string backend, string root = Backends) =>
        $"{root}/{Uri.EscapeDataString(cluster)}/{Uri.EscapeDataString(backend)}";

    /// <summary><c>{root}/{cluster}/{backend}/{drain|maint|ready}</c>.</summary>
    public static string BackendState(string cluster, string backend, string state, string root = Backends) =>
        $"{Backend(cluster, backend, root)}/{state}";

    /// <summary><c>{root}/{cluster}/{backend}/weight</c>.</summary>
    public static string BackendWeight(string cluster, string backend, string root = Backends) => $"{Backend(cluster, backend, root)}/weight";

    /// <summary><c>/api/v1/sessions/{key}</c>; the key's slashes stay as they are (the route takes the rest of the path).</summary>
    public static string Session(string key) =>
        $"{Sessions}/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}";

    /// <summary><c>/api/v1/vips/{vip}/move</c>.</summary>
    public static string VipMove(string vip) => $"{Vips}/{Uri.EscapeDataString(vip)}/move";
}

namespace Appliance.Management.Sources;

/// <summary>DI keys of the <see cref="IBackendAdmin"/> sources besides the plain (HTTP) one.</summary>
public static class BackendAdminKeys
{
    /// <summary>TCP pools: register their <see cref="IBackendAdmin"/> with <c>AddKeyedSingleton(Tcp, ...)</c>.</summary>
    public const string Tcp = "tcp";
}

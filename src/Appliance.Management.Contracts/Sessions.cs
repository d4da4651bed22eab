namespace Appliance.Management.Contracts;

/// <summary><c>GET /api/v1/sessions/{key}</c>: a live sticky session.</summary>
/// <param name="Key">The table key: <c>http/{cluster}/{cookie value}</c> for HTTP sessions.</param>
/// <param name="Backend">The backend it is pinned to.</param>
/// <param name="LastSeen">When it was last used (refreshed coarsely, about every sixteenth of the idle timeout).</param>
/// <param name="IdleTimeoutSeconds">How long it lives unused.</param>
/// <param name="ExpiresAt">When it expires unless used again.</param>
public sealed record SessionInfo(string Key, string Backend, DateTimeOffset LastSeen, double IdleTimeoutSeconds, DateTimeOffset ExpiresAt);

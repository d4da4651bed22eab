using Appliance.Management.Contracts;

namespace Appliance.Cli.Client;

/// <summary>
/// What a call to the admin API gave: a value (2xx), a problem (the node answered with an error),
/// or nothing (no admin API answered). <see cref="Raw"/> is the body as received, for --json.
/// </summary>
internal sealed record ApiResult<T>(int Status, T? Value, Problem? Problem, string Raw, string? Unreachable)
    where T : class
{
    public bool Ok => Value is not null && Unreachable is null;
}

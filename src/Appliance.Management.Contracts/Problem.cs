using System.Text.Json.Serialization;

namespace Appliance.Management.Contracts;

/// <summary>
/// An RFC 7807 problem document (<c>application/problem+json</c>), as every admin API error is
/// answered. <paramref name="Errors"/> is present on configuration refusals.
/// </summary>
public sealed record Problem(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    string? Instance,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ConfigProblem>? Errors);

namespace Appliance.Management.Contracts;

/// <summary>One problem in a configuration: the JSON path of the value at fault and what to do.</summary>
public sealed record ConfigProblem(string Path, string Message);

/// <summary><c>POST /api/v1/config/validate</c> (body: a whole configuration file).</summary>
/// <param name="Valid">True when the node would accept the file.</param>
/// <param name="Errors">Every problem found; empty when valid.</param>
/// <param name="Summary">One line for humans.</param>
/// <param name="Warnings">Keys read but not acted on (e.g. Kestrel limits); they do not make the file invalid.</param>
public sealed record ValidationResult(bool Valid, IReadOnlyList<ConfigProblem> Errors, string Summary, IReadOnlyList<ConfigProblem>? Warnings = null);

/// <summary><c>POST /api/v1/config/reload</c> when the file was applied (a refusal is a 422 problem with <c>errors</c>).</summary>
/// <param name="Applied">True.</param>
/// <param name="Revision">The revision now in force.</param>
/// <param name="AppliedAt">When it was applied.</param>
/// <param name="Path">The file read.</param>
public sealed record ReloadResult(bool Applied, long Revision, DateTimeOffset? AppliedAt, string Path);

using Appliance.Management.Contracts;

namespace Appliance.Management.Sources;

/// <summary>Checks a configuration without applying it, and reloads the node's own file.</summary>
public interface IConfigActions
{
    /// <summary>Every problem <paramref name="json"/> has, judged as the node judges its own file.</summary>
    Task<ValidationResult> ValidateAsync(string json, CancellationToken cancel);

    /// <summary>The file the node reloads from; null when it was started without one (nothing to reload).</summary>
    string? ConfigPath { get; }

    /// <summary>
    /// Reloads <see cref="ConfigPath"/> through the same path as SIGHUP and waits for the outcome:
    /// applied, or refused with every problem (the last good configuration keeps running).
    /// </summary>
    Task<ReloadOutcome> ReloadAsync(string trigger, CancellationToken cancel);
}

/// <summary>What a reload did.</summary>
/// <param name="Applied">True when the file is now in force.</param>
/// <param name="Revision">The revision in force afterwards.</param>
/// <param name="AppliedAt">When that revision was applied.</param>
/// <param name="Errors">Why it was refused; empty when applied.</param>
public sealed record ReloadOutcome(bool Applied, long Revision, DateTimeOffset? AppliedAt, IReadOnlyList<ConfigProblem> Errors);

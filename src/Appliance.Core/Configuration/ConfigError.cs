namespace Appliance.Core.Configuration;

/// <summary>One problem in a configuration file: where (a JSON path such as <c>$.Listeners[0].Address</c>) and what to do.</summary>
public sealed record ConfigError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>The outcome of loading a file: a configuration, or every problem found.</summary>
public sealed record ConfigLoadResult(ApplianceConfig? Config, IReadOnlyList<ConfigError> Errors)
{
    public bool Succeeded => Config is not null && Errors.Count == 0;

    /// <summary>Keys that are read but not acted on (mostly ASP.NET Core's, which tune Kestrel); they do not stop the file loading.</summary>
    public IReadOnlyList<ConfigError> Warnings { get; init; } = [];
}

using Appliance.Core.Configuration;

namespace Appliance.Proxy;

/// <summary>
/// The configuration in force, swapped whole. Readers take <see cref="Current"/> once per
/// decision; <see cref="Changed"/> fires after every successful swap.
/// </summary>
internal sealed class ConfigStore
{
    private volatile Entry _entry = new(new ApplianceConfig(), 0, DateTimeOffset.MinValue);

    public ApplianceConfig Current => _entry.Config;

    /// <summary>Incremented on each applied configuration; 0 before the first.</summary>
    public long Revision => _entry.Revision;

    public DateTimeOffset AppliedAt => _entry.AppliedAt;

    public event Action<ApplianceConfig>? Changed;

    public void Apply(ApplianceConfig config, DateTimeOffset now)
    {
        _entry = new Entry(config, _entry.Revision + 1, now);
        Changed?.Invoke(config);
    }

    private sealed record Entry(ApplianceConfig Config, long Revision, DateTimeOffset AppliedAt);
}

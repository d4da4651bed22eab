namespace Appliance.Tests.Support;

/// <summary>Tests that must not run beside others (they count process-wide resources such as descriptors).</summary>
[CollectionDefinition(nameof(SerialCollection), DisableParallelization = true)]
public sealed class SerialCollection;

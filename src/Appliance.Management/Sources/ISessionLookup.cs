using Appliance.Management.Contracts;

namespace Appliance.Management.Sources;

/// <summary>Finds a sticky session by its table key without refreshing it.</summary>
public interface ISessionLookup
{
    /// <summary>The live session under <paramref name="key"/>, or null when there is none (or it expired).</summary>
    SessionInfo? Find(string key);
}

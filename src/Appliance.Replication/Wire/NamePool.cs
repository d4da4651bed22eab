using System.Collections.Concurrent;

namespace Appliance.Replication.Wire;

/// <summary>
/// One shared string per backend name seen in replicated sessions: a million decoded sessions
/// name a handful of backends, and a string each would cost about 50 bytes a session. Bounded,
/// so a peer sending endless distinct names cannot make it grow: past the limit names are not shared.
/// </summary>
internal static class NamePool
{
    private const int MaxNames = 4_096;
    private static readonly ConcurrentDictionary<string, string> Names = new(StringComparer.Ordinal);

    public static string Share(string name)
    {
        if (Names.TryGetValue(name, out var shared))
        {
            return shared;
        }

        return Names.Count < MaxNames ? Names.GetOrAdd(name, name) : name;
    }
}

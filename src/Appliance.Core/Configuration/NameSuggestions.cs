namespace Appliance.Core.Configuration;

/// <summary>Finds the known name a mistyped key was probably meant to be ("Wieght" -> "Weight").</summary>
internal static class NameSuggestions
{
    /// <summary>
    /// The closest known name within a small edit distance (case-insensitive), or null. By default short
    /// names tolerate one edit and longer ones two, so "Port" is not taken for "Path".
    /// </summary>
    public static string? Closest(string typed, IEnumerable<string> known, int? maxDistance = null)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var allowed = maxDistance ?? (typed.Length <= 4 ? 1 : 2);
        foreach (var candidate in known)
        {
            var distance = Distance(typed.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance <= allowed && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>" Did you mean 'X'?" or an empty string.</summary>
    public static string Hint(string typed, IEnumerable<string> known) =>
        Closest(typed, known) is { } match ? $" Did you mean '{match}'?" : "";

    // Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps
    // each cost one, so the common "ie"/"ei" slip counts as a single edit.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}

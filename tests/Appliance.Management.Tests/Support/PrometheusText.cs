using System.Globalization;
using System.Text.RegularExpressions;

namespace Appliance.Tests.Support;

/// <summary>
/// A strict parser for the Prometheus text exposition format 0.0.4, as a scraper would read it:
/// HELP/TYPE lines, samples with escaped label values, families contiguous and declared before
/// their samples, histogram buckets cumulative and ending with +Inf equal to _count. Throws with
/// the line number on the first violation.
/// </summary>
internal static partial class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
    {
        public string Label(string name) => Labels.TryGetValue(name, out var v) ? v : "";
    }

    public sealed record Scrape(IReadOnlyDictionary<string, string> Types, IReadOnlyList<Sample> Samples)
    {
        public IEnumerable<Sample> Named(string name) => Samples.Where(s => s.Name == name);

        /// <summary>The one sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
        public double Value(string name, params (string Name, string Value)[] labels) =>
            Named(name).Single(s => labels.All(l => s.Label(l.Name) == l.Value)).Value;
    }

    [GeneratedRegex("""^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$""")]
    private static partial Regex Meta();

    [GeneratedRegex("""^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""\G([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)""")]
    private static partial Regex LabelPair();

    public static Scrape Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<Sample>();
        var finished = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text.Split('\n');
        Assert.True(text.EndsWith('\n'), "the exposition must end with a newline");
        for (var n = 0; n < lines.Length - 1; n++)
        {
            var line = lines[n];
            var where = $"line {n + 1}: '{line}'";
            if (line.StartsWith('#'))
            {
                var meta = Meta().Match(line);
                Assert.True(meta.Success, "malformed comment " + where);
                var family = meta.Groups[2].Value;
                if (meta.Groups[1].Value == "TYPE")
                {
                    Assert.Contains(meta.Groups[3].Value, new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                    Assert.False(types.ContainsKey(family), "family declared twice " + where);
                    types[family] = meta.Groups[3].Value;
                }

                if (current != family)
                {
                    if (current is not null)
                    {
                        finished.Add(current);
                    }

                    Assert.DoesNotContain(family, finished);
                    current = family;
                }

                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, "malformed sample " + where);
            var name = match.Groups[1].Value;
            var familyName = FamilyOf(name, types);
            Assert.True(familyName == current, $"sample outside its family's block (family {familyName}, block {current}) " + where);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (match.Groups[3].Success && match.Groups[3].Value.Length > 0)
            {
                var body = match.Groups[3].Value;
                var position = 0;
                while (position < body.Length)
                {
                    var pair = LabelPair().Match(body, position);
                    Assert.True(pair.Success && pair.Index == position, "malformed labels " + where);
                    labels.Add(pair.Groups[1].Value, Unescape(pair.Groups[2].Value));
                    position += pair.Length;
                }
            }

            var value = match.Groups[4].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(name, labels, value));
        }

        var scrape = new Scrape(types, samples);
        CheckHistograms(scrape);
        return scrape;
    }

    private static string FamilyOf(string sample, Dictionary<string, string> types)
    {
        if (types.ContainsKey(sample))
        {
            return sample;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(sample[..^suffix.Length], out var type) && type == "histogram")
            {
                return sample[..^suffix.Length];
            }
        }

        Assert.Fail($"sample '{sample}' has no # TYPE line");
        return "";
    }

    private static void CheckHistograms(Scrape scrape)
    {
        foreach (var (family, _) in scrape.Types.Where(t => t.Value == "histogram"))
        {
            var buckets = scrape.Named(family + "_bucket").GroupBy(s => string.Join(',', s.Labels.Where(l => l.Key != "le").Select(l => $"{l.Key}={l.Value}")));
            foreach (var series in buckets)
            {
                var values = series.ToList();
                Assert.Equal("+Inf", values[^1].Label("le"));
                for (var i = 1; i < values.Count; i++)
                {
                    Assert.True(values[i].Value >= values[i - 1].Value, $"{family} buckets are not cumulative");
                }

                var count = scrape.Named(family + "_count").Single(s => s.Labels.Where(l => l.Key != "le").All(l => values[0].Label(l.Key) == l.Value)).Value;
                Assert.Equal(values[^1].Value, count);
            }
        }
    }

    private static string Unescape(string value) =>
        value.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
}

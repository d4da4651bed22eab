using System.Globalization;
using System.Text;
using Appliance.Management.Sources;

namespace Appliance.Management.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4): a <c># HELP</c> and <c># TYPE</c>
/// line per family, then its samples, label values escaped. Declaring a family twice is a bug and
/// throws, because the format requires each family's samples to be contiguous.
/// </summary>
public sealed class PrometheusWriter
{
    /// <summary>The scrape's content type.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(4096);
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);

    /// <summary>Declares a counter (names end in <c>_total</c> by convention).</summary>
    public PrometheusWriter Counter(string name, string help) => Declare(name, "counter", help);

    /// <summary>Declares a gauge.</summary>
    public PrometheusWriter Gauge(string name, string help) => Declare(name, "gauge", help);

    /// <summary>Declares a histogram; write its series with <see cref="Histogram(string, HistogramSnapshot, ReadOnlySpan{ValueTuple{string, string}})"/>.</summary>
    public PrometheusWriter Histogram(string name, string help) => Declare(name, "histogram", help);

    /// <summary>Writes one sample of the family declared last.</summary>
    public PrometheusWriter Sample(string name, double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        _text.Append(name);
        AppendLabels(labels, extra: default);
        _text.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    /// <summary>Writes one sample per item, labelled with one label whose value the item gives.</summary>
    public PrometheusWriter Samples<T>(string name, IEnumerable<T> items, string label, Func<T, string> labelValue, Func<T, double> value)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(labelValue);
        ArgumentNullException.ThrowIfNull(value);
        foreach (var item in items)
        {
            Sample(name, value(item), (label, labelValue(item)));
        }

        return this;
    }

    /// <summary>Writes a histogram's cumulative <c>_bucket</c> series, <c>_sum</c> and <c>_count</c>.</summary>
    public PrometheusWriter Histogram(string name, HistogramSnapshot histogram, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        long cumulative = 0;
        for (var i = 0; i < histogram.Counts.Count; i++)
        {
            cumulative += histogram.Counts[i];
            var le = i < histogram.UpperBounds.Count ? Format(histogram.UpperBounds[i]) : "+Inf";
            _text.Append(name).Append("_bucket");
            AppendLabels(labels, ("le", le));
            _text.Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        _text.Append(name).Append("_sum");
        AppendLabels(labels, default);
        _text.Append(' ').Append(Format(histogram.Sum)).Append('\n');
        _text.Append(name).Append("_count");
        AppendLabels(labels, default);
        _text.Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return this;
    }

    /// <summary>The exposition text so far.</summary>
    public override string ToString() => _text.ToString();

    private PrometheusWriter Declare(string name, string type, string help)
    {
        if (!_families.Add(name))
        {
            throw new InvalidOperationException($"metric family '{name}' declared twice; each family must come from one place.");
        }

        _text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    private void AppendLabels(ReadOnlySpan<(string Name, string Value)> labels, (string Name, string Value) extra)
    {
        if (labels.IsEmpty && extra.Name is null)
        {
            return;
        }

        _text.Append('{');
        var first = true;
        foreach (var (labelName, value) in labels)
        {
            AppendLabel(labelName, value, ref first);
        }

        if (extra.Name is not null)
        {
            AppendLabel(extra.Name, extra.Value, ref first);
        }

        _text.Append('}');
    }

    private void AppendLabel(string name, string value, ref bool first)
    {
        if (!first)
        {
            _text.Append(',');
        }

        first = false;
        _text.Append(name).Append("=\"");
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => _text.Append("\\\\"),
                '"' => _text.Append("\\\""),
                '\n' => _text.Append("\\n"),
                _ => _text.Append(c),
            };
        }

        _text.Append('"');
    }

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}

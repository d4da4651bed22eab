using Appliance.Management.Metrics;
using Appliance.Management.Sources;
using Appliance.Tests.Support;

namespace Appliance.Tests.Metrics;

public sealed class PrometheusWriterTests
{
    [Fact]
    public void Sample_EscapesLabelValues_AndParsesBack()
    {
        var writer = new PrometheusWriter();
        writer.Gauge("x_value", "A help text with a \\ backslash\nand a newline.");
        writer.Sample("x_value", 1.5, ("name", "a \"quoted\" \\ value\nsecond line"));

        var text = writer.ToString();
        var scrape = PrometheusText.Parse(text);

        Assert.Contains("# HELP x_value A help text with a \\\\ backslash\\nand a newline.\n", text, StringComparison.Ordinal);
        Assert.Equal("a \"quoted\" \\ value\nsecond line", Assert.Single(scrape.Samples).Label("name"));
        Assert.Equal(1.5, scrape.Samples[0].Value);
    }

    [Fact]
    public void Histogram_WritesCumulativeBucketsSumAndCount()
    {
        var writer = new PrometheusWriter();
        writer.Histogram("d_seconds", "Durations.");
        writer.Histogram("d_seconds", new HistogramSnapshot([0.1, 1], [2, 3, 1], 4.25), ("backend", "b"));

        var text = writer.ToString();

        Assert.Contains("d_seconds_bucket{backend=\"b\",le=\"0.1\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("d_seconds_bucket{backend=\"b\",le=\"1\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("d_seconds_bucket{backend=\"b\",le=\"+Inf\"} 6\n", text, StringComparison.Ordinal);
        Assert.Contains("d_seconds_sum{backend=\"b\"} 4.25\n", text, StringComparison.Ordinal);
        Assert.Contains("d_seconds_count{backend=\"b\"} 6\n", text, StringComparison.Ordinal);
        PrometheusText.Parse(text);
    }

    [Fact]
    public void Family_DeclaredTwice_Throws()
    {
        var writer = new PrometheusWriter();
        writer.Counter("a_total", "A.");

        Assert.Throws<InvalidOperationException>(() => writer.Counter("a_total", "A again."));
    }
}

using System.Globalization;
using Spectre.Console;

namespace Appliance.Cli.Output;

/// <summary>How values read in tables: states in colour (when the terminal has it), durations and times short.</summary>
internal static class Format
{
    public static string Health(string state) => state switch
    {
        "healthy" => "[green]healthy[/]",
        "unhealthy" => "[red]unhealthy[/]",
        _ => "[grey]unknown[/]",
    };

    public static string AdminState(string state) => state switch
    {
        "ready" => "[green]ready[/]",
        "drain" => "[yellow]drain[/]",
        "maint" => "[red]maint[/]",
        _ => Markup.Escape(state),
    };

    public static string YesNo(bool value, string yes = "yes", string no = "no") => value ? $"[green]{yes}[/]" : $"[red]{no}[/]";

    public static string Rate(double perSecond) => perSecond.ToString(perSecond >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? at) =>
        at is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalDays >= 1 ? $"{(int)span.TotalDays}d {span.Hours}h {span.Minutes:00}m"
            : span.TotalHours >= 1 ? $"{(int)span.TotalHours}h {span.Minutes:00}m"
            : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m {span.Seconds:00}s"
            : $"{span.TotalSeconds:0}s";
    }

    /// <summary>A two-column grid of labels and values.</summary>
    public static Grid Pairs(IEnumerable<(string Label, string Markup)> rows)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        foreach (var (label, value) in rows)
        {
            grid.AddRow(new Markup($"[bold]{Markup.Escape(label)}[/]"), new Markup(value));
        }

        return grid;
    }
}

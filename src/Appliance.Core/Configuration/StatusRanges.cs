using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Appliance.Core.Configuration;

/// <summary>
/// A set of HTTP status codes written as comma-separated codes and ranges, e.g. <c>200-399</c> or
/// <c>200,204,301-302</c>: the parsed form of <see cref="ActiveHealthOptions.ExpectedStatus"/>.
/// </summary>
public sealed class StatusRanges
{
    /// <summary>Lowest status code accepted in a range.</summary>
    public const int MinStatus = 100;

    /// <summary>Highest status code accepted in a range.</summary>
    public const int MaxStatus = 599;

    private readonly (int Low, int High)[] _ranges;

    private StatusRanges((int Low, int High)[] ranges) => _ranges = ranges;

    /// <summary>The default expectation, <c>200-399</c>: success and redirects.</summary>
    public static StatusRanges Default { get; } = new([(200, 399)]);

    /// <summary>True when <paramref name="status"/> falls in one of the ranges.</summary>
    public bool Contains(int status)
    {
        foreach (var (low, high) in _ranges)
        {
            if (status >= low && status <= high)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses the text form; on failure <paramref name="error"/> says which part is wrong and why.</summary>
    public static bool TryParse(
        string? text,
        [NotNullWhen(true)] out StatusRanges? ranges,
        [NotNullWhen(false)] out string? error)
    {
        ranges = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "no status codes given; write codes and ranges such as \"200-399\" or \"200,204\".";
            return false;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var result = new (int Low, int High)[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var lowText = dash < 0 ? part : part[..dash].Trim();
            var highText = dash < 0 ? part : part[(dash + 1)..].Trim();
            if (!TryParseCode(lowText, out var low) || !TryParseCode(highText, out var high))
            {
                error = $"'{part}' is not a status code or range: use codes from {MinStatus} to {MaxStatus}, "
                    + "ranges as \"200-399\", separated by commas.";
                return false;
            }

            if (low > high)
            {
                error = $"the range '{part}' runs backwards: write the lower code first, e.g. \"{high}-{low}\".";
                return false;
            }

            result[i] = (low, high);
        }

        ranges = new StatusRanges(result);
        error = null;
        return true;
    }

    /// <summary>Parses the text form, throwing <see cref="FormatException"/> when it is invalid (for text already validated).</summary>
    public static StatusRanges Parse(string text) =>
        TryParse(text, out var ranges, out var error) ? ranges : throw new FormatException(error);

    /// <summary>The canonical text form, e.g. <c>200-399,404</c>.</summary>
    public override string ToString() => string.Join(',', _ranges.Select(r =>
        r.Low == r.High
            ? r.Low.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{r.Low}-{r.High}")));

    private static bool TryParseCode(string text, out int code)
    {
        // Exactly three digits: rejects signs, spaces and "0200" that int.TryParse would take.
        if (text.Length == 3 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out code))
        {
            return code is >= MinStatus and <= MaxStatus;
        }

        code = 0;
        return false;
    }
}

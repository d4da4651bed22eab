namespace Appliance.Tests.Support;

/// <summary>
/// A fact that needs Debian's Chromium (<c>/usr/bin/chromium</c>, installed by scripts/test.sh).
/// Without it the test is reported as skipped with the reason, never silently passed.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Executable = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Executable))
        {
            Skip = $"{Executable} is missing: install Debian's chromium (scripts/test.sh does) to run the dashboard test.";
        }
    }
}

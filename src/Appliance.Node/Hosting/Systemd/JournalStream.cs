namespace Appliance.Node.Hosting.Systemd;

/// <summary>
/// Whether standard output is connected to the systemd journal. systemd sets
/// <c>JOURNAL_STREAM=device:inode</c> for a service whose output goes to the journal; a child
/// process may inherit the variable with its output elsewhere, so the inode is compared with
/// the one of the socket standard output is (systemd.exec(5), "$JOURNAL_STREAM").
/// </summary>
internal static class JournalStream
{
    public static bool IsStandardOutput() =>
        Matches(Environment.GetEnvironmentVariable("JOURNAL_STREAM"), ReadLink("/proc/self/fd/1"));

    /// <summary>True when <paramref name="journalStream"/> ("dev:ino") names the socket <paramref name="fdLink"/> ("socket:[ino]") points at.</summary>
    public static bool Matches(string? journalStream, string? fdLink)
    {
        if (journalStream is null || fdLink is null)
        {
            return false;
        }

        var colon = journalStream.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !ulong.TryParse(journalStream.AsSpan(colon + 1), out var inode))
        {
            return false;
        }

        return fdLink == $"socket:[{inode}]";
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

namespace Appliance.Node.Hosting.Systemd;

/// <summary>
/// What to tell systemd as the node's readiness changes; pure (the caller sends the messages).
/// READY=1 goes out once, when the node is first ready; after that only STATUS= lines when
/// the status text changes. A reload is bracketed by RELOADING=1 and READY=1, but only once the
/// node was ready (a READY=1 after an early reload would report readiness too soon). The last
/// reload's outcome stays in the status text, so <c>systemctl status</c> shows it.
/// </summary>
internal sealed class NotifyState
{
    private IReadOnlyList<string> _reasons = ["starting"];
    private string? _lastReload;
    private string? _lastStatus;

    /// <summary>True once READY=1 was produced.</summary>
    public bool ReadySent { get; private set; }

    /// <summary>The message for the current not-ready reasons, or null when nothing changed.</summary>
    public string? OnReadiness(IReadOnlyList<string> notReadyReasons)
    {
        ArgumentNullException.ThrowIfNull(notReadyReasons);
        _reasons = notReadyReasons;
        if (!ReadySent && notReadyReasons.Count == 0)
        {
            ReadySent = true;
            _lastStatus = Status();
            return "READY=1\n" + _lastStatus;
        }

        var status = Status();
        if (status == _lastStatus)
        {
            return null;
        }

        _lastStatus = status;
        return status;
    }

    /// <summary>RELOADING=1 with the monotonic time systemd asks for (microseconds), or null before the node was ready.</summary>
    public string? OnReloadStarting(string trigger, long monotonicMicroseconds)
    {
        if (!ReadySent)
        {
            return null;
        }

        _lastReload = $"reloading the configuration ({trigger})";
        _lastStatus = Status();
        return $"RELOADING=1\nMONOTONIC_USEC={monotonicMicroseconds}\n{_lastStatus}";
    }

    /// <summary>READY=1 with the outcome, or null before the node was ready.</summary>
    public string? OnReloadFinished(bool applied, long revision, int problems)
    {
        if (!ReadySent)
        {
            return null;
        }

        _lastReload = applied
            ? $"configuration revision {revision} applied"
            : $"last reload refused ({problems} problem(s)), revision {revision} keeps serving";
        _lastStatus = Status();
        return "READY=1\n" + _lastStatus;
    }

    /// <summary>STOPPING=1: systemd then knows the exit that follows is asked for.</summary>
    public static string OnStopping() => "STOPPING=1\nSTATUS=stopping";

    // The STATUS= assignment for the current state (pure: callers record what they sent).
    private string Status()
    {
        var text = _reasons.Count == 0 ? "ready" : "not ready: " + string.Join("; ", _reasons);
        if (_lastReload is not null)
        {
            text += "; " + _lastReload;
        }

        // A newline would end the assignment early and make the rest a bogus one.
        return "STATUS=" + text.ReplaceLineEndings(" ");
    }
}

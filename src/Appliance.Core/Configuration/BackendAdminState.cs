namespace Appliance.Core.Configuration;

/// <summary>An operator's say over a backend, independent of its health.</summary>
public enum BackendAdminState
{
    /// <summary>Takes new and sticky traffic.</summary>
    Ready,

    /// <summary>No new sessions; sticky sessions continue; still health-checked.</summary>
    Drain,

    /// <summary>No traffic at all.</summary>
    Maint,
}

/// <summary>Text forms of <see cref="BackendAdminState"/> as operators type them.</summary>
public static class BackendAdminStates
{
    public static bool TryParse(string? text, out BackendAdminState state)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "READY": state = BackendAdminState.Ready; return true;
            case "DRAIN": state = BackendAdminState.Drain; return true;
            case "MAINT": state = BackendAdminState.Maint; return true;
            default: state = default; return false;
        }
    }

    public static string ToText(this BackendAdminState state) => state switch
    {
        BackendAdminState.Drain => "drain",
        BackendAdminState.Maint => "maint",
        _ => "ready",
    };
}

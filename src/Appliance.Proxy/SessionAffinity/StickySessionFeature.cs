namespace Appliance.Proxy.SessionAffinity;

/// <summary>Per-request note from the affinity policy to the balancer and back to the response.</summary>
internal sealed class StickySessionFeature(string sessionKey)
{
    /// <summary>The client's opaque session key (from its cookie, or newly minted).</summary>
    public string SessionKey { get; } = sessionKey;

    /// <summary>True when the table pinned this request to a live backend.</summary>
    public bool Affinitized { get; set; }

    /// <summary>The backend the table named, when it was found (even if no longer usable).</summary>
    public string? PinnedBackend { get; set; }
}

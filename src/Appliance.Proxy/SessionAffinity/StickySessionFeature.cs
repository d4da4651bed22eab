namespace Appliance.Proxy.SessionAffinity;

/// <summary>Per-request note from the affinity policy to the balancer and back to the response.</summary>
internal sealed class StickySessionFeature(string sessionKey)
{
    /// <summary>The client's opaque session key (from its cookie, or newly minted).</summary>
    public string SessionKey { get; } = sessionKey;

    /// <summary>True when the table pinned this request to a live backend.</summary>
    public bool Affinitized { get; set; }

    /// <summary>The backend the table (or failing it, the cookie's hint) named, when found (even if no longer usable).</summary>
    public string? PinnedBackend { get; set; }

    /// <summary>The hint the client's cookie carried; null for a cookie without one.</summary>
    public string? Hint { get; init; }

    /// <summary>True when the hint, not the table, pinned this request: the response writes the session back to the table.</summary>
    public bool FromHint { get; set; }
}

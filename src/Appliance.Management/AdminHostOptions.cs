using Appliance.Management.Security;
using Microsoft.Extensions.Logging;

namespace Appliance.Management;

/// <summary>How the admin listener is set up (from the <c>Admin</c> section; fixed for the life of the process).</summary>
public sealed record AdminHostOptions
{
    /// <summary><c>host:port</c> to listen on, in the forms <c>Admin.Address</c> accepts.</summary>
    public required string Address { get; init; }

    /// <summary>The token remote callers must present; null when <c>Admin.TokenFile</c> is not set (local callers only).</summary>
    public AdminToken? Token { get; init; }

    /// <summary>The node's logger factory, so admin lines go where the node's go.</summary>
    public required ILoggerFactory LoggerFactory { get; init; }

    /// <summary>Clock for rates and uptime.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

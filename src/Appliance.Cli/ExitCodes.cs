namespace Appliance.Cli;

/// <summary>appliancectl's exit codes, stable for scripts (documented in docs/operations.md).</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The node refused: unknown backend, invalid configuration, no token, not available yet.</summary>
    public const int Refused = 1;

    /// <summary>The command line is wrong (unknown command, missing argument, unreadable local file).</summary>
    public const int Usage = 2;

    /// <summary>No admin API answered at the node's address.</summary>
    public const int Unreachable = 3;
}

using System.Runtime.InteropServices;

namespace Appliance.Tests.Support.Netns;

/// <summary>The two libc calls the namespace helpers need.</summary>
internal static partial class NetnsNative
{
    /// <summary>CLONE_NEWNET: join a network namespace.</summary>
    public const int CloneNewNet = 0x40000000;

    /// <summary>Moves the calling thread into the namespace behind <paramref name="fd"/>.</summary>
    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);

    /// <summary>A second descriptor for the same socket (Kestrel takes one over, the test closes the other).</summary>
    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);
}

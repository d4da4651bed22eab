using System.Security.Cryptography;

namespace Appliance.Replication.Sessions;

/// <summary>
/// The writer id in this process's clock stamps: random and not 0. Two writes compare equal only
/// when wall time, counter and writer agree, so writers must differ; a random 64-bit id per process
/// does that without coordination (a node's address is not enough: a restart reuses it).
/// </summary>
internal static class HlcNode
{
    public static ulong NewId()
    {
        Span<byte> bytes = stackalloc byte[8];
        ulong id;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            id = BitConverter.ToUInt64(bytes);
        }
        while (id == 0);

        return id;
    }
}

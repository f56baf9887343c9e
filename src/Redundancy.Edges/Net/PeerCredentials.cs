using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Redundancy.Edges.Net;

/// <summary>
/// The process at the other end of a connected Unix socket as the kernel recorded it when it connected
/// (<c>SO_PEERCRED</c>): it cannot be forged by the caller, and it does not change for the connection's life.
/// </summary>
/// <param name="Pid">The caller's process id at connect time.</param>
/// <param name="Uid">The caller's effective user id.</param>
/// <param name="Gid">The caller's effective (primary) group id.</param>
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    private const int SolSocket = 1;

    /// <summary>Reads the credentials of <paramref name="socket"/>'s peer; <see cref="IOException"/> when the kernel
    /// gives none (a socket that never connected).</summary>
    public static PeerCredentials Of(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> ucred = stackalloc byte[12]; // struct ucred: pid_t, uid_t, gid_t, 32 bits each on every Linux
        int length;
        try
        {
            length = socket.GetRawSocketOption(SolSocket, PeerCredOption(), ucred);
        }
        catch (SocketException ex)
        {
            throw new IOException($"cannot read the caller's credentials (SO_PEERCRED): {ex.Message}", ex);
        }

        if (length != ucred.Length)
        {
            throw new IOException($"cannot read the caller's credentials (SO_PEERCRED): the kernel gave {length} bytes, not {ucred.Length}");
        }

        var peer = new PeerCredentials(MemoryMarshal.Read<int>(ucred), MemoryMarshal.Read<uint>(ucred[4..]), MemoryMarshal.Read<uint>(ucred[8..]));
        if (peer.Uid == uint.MaxValue)
        {
            throw new IOException("cannot read the caller's credentials (SO_PEERCRED): the socket has no peer"); // (uid_t)-1: never connected
        }

        return peer;
    }

    // 17 in the generic table (x64, arm64, arm, x86, riscv64, s390x, loongarch64); POWER has its own.
    private static int PeerCredOption() => RuntimeInformation.ProcessArchitecture == Architecture.Ppc64le ? 21 : 17;
}

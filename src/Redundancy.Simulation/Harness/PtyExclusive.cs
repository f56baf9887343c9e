using System.Runtime.InteropServices;

namespace Redundancy.Simulation.Harness;

/// <summary>
/// Clears a pty's exclusive mode (TIOCNXCL), which System.IO.Ports sets. A UART's exclusive mode ends with its last
/// close, but a socat pty's slave lives on while socat holds the master, so a killed agent's successor could open it
/// again only with CAP_SYS_ADMIN, which an agent with a system IP no longer has. The harness (root) clears it before it
/// starts an agent again, as the UART's last close would have.
/// </summary>
internal static partial class PtyExclusive
{
    private const int OpenReadWrite = 2;
    private const int OpenNoCtty = 0x100;
    private const int OpenNonBlock = 0x800;
    private const nuint Tiocnxcl = 0x540D;

    public static void Clear(string path)
    {
        var fd = Open(path, OpenReadWrite | OpenNoCtty | OpenNonBlock);
        if (fd < 0)
        {
            return; // not there (yet): nothing to clear
        }

        _ = Ioctl(fd, Tiocnxcl, 0);
        _ = Close(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, nint argument);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}

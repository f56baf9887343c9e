using System.Net.Sockets;
using Redundancy.Edges.Security;

namespace Redundancy.Edges.Net;

/// <summary>Makes a Unix socket path ready for bind without destroying anything that is not ours to remove.</summary>
public static class UnixSocketPath
{
    private const uint TypeMask = 0xF000;
    private const uint Socket = 0xC000;

    /// <summary>
    /// Nothing at <paramref name="path"/>: fine. A stale socket (nobody accepts on it): removed. Anything else is
    /// refused with <see cref="InvalidDataException"/> naming <paramref name="field"/>: a regular file, a directory or
    /// a symbolic link is never deleted, and a socket where a live agent listens is left to it.
    /// </summary>
    public static void Claim(string path, string field)
    {
        var mode = OpenedFile.ModeOf(path);
        if (mode is null)
        {
            return;
        }

        if ((mode.Value & TypeMask) != Socket)
        {
            var kind = (mode.Value & TypeMask) switch
            {
                0x8000 => "a regular file",
                0x4000 => "a directory",
                0xA000 => "a symbolic link",
                _ => "a special file",
            };
            throw new InvalidDataException($"{field} {path}: exists and is not a socket ({kind}); refusing to delete it: remove it or name another path");
        }

        using (var probe = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new InvalidDataException($"{field} {path}: another agent is listening on it; stop it first or name another path");
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused)
            {
                // stale: left by an agent that is gone
            }
        }

        File.Delete(path);
    }
}

using System.Net.Sockets;
using System.Text;

namespace Redundancy.Edges.Systemd;

/// <summary>
/// sd_notify of our own: one AF_UNIX datagram per message to the socket systemd names in <c>NOTIFY_SOCKET</c> (a
/// path, or an abstract name when it starts with '@'). Sends never block (a non-blocking socket: a full socket
/// buffer drops the message) and never throw; failures are counted, and the first of a run of failures is handed to
/// the caller once. Not thread-safe: one loop owns it (<see cref="SystemdNotifyLoop"/>).
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _target;
    private readonly byte[] _buffer = new byte[4096];
    private bool _failing;

    /// <summary>A notifier for <paramref name="notifySocket"/>, the value of <c>NOTIFY_SOCKET</c>.</summary>
    /// <exception cref="ArgumentException">The value is empty or not a socket path or abstract name.</exception>
    public SystemdNotifier(string notifySocket)
    {
        ArgumentException.ThrowIfNullOrEmpty(notifySocket);
        if (notifySocket[0] is not ('/' or '@'))
        {
            // systemd also knows vsock:, which a service on a Pi never gets.
            throw new ArgumentException($"NOTIFY_SOCKET {notifySocket} is neither a path nor an abstract name", nameof(notifySocket));
        }

        // An abstract name is the '@' replaced by a NUL byte (as sd_notify does); .NET takes that as abstract.
        _target = new UnixDomainSocketEndPoint(notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
        SocketPath = notifySocket;
    }

    /// <summary>The socket as <c>NOTIFY_SOCKET</c> names it.</summary>
    public string SocketPath { get; }

    /// <summary>Messages sent.</summary>
    public long Sent { get; private set; }

    /// <summary>Messages that could not be sent (no listener, socket buffer full, too long).</summary>
    public long Failed { get; private set; }

    /// <summary>Called with the error of the first failed send after a successful one (or the first ever), never
    /// for the failures that follow it: a missing socket must not fill the journal once a second.</summary>
    public Action<string>? FirstFailure { get; init; }

    /// <summary>Sends <paramref name="message"/> (lines <c>KEY=VALUE</c>); false when it could not.</summary>
    public bool Send(string message)
    {
        int length;
        try
        {
            length = Encoding.UTF8.GetBytes(message, _buffer);
        }
        catch (ArgumentException)
        {
            return Fail("message longer than 4096 bytes");
        }

        try
        {
            _socket.SendTo(_buffer.AsSpan(0, length), SocketFlags.None, _target);
            Sent++;
            _failing = false;
            return true;
        }
        catch (SocketException ex)
        {
            return Fail($"{ex.SocketErrorCode}: {ex.Message}");
        }
        catch (ObjectDisposedException)
        {
            return Fail("notifier disposed");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();

    private bool Fail(string error)
    {
        Failed++;
        if (!_failing)
        {
            _failing = true;
            FirstFailure?.Invoke($"sd_notify to {SocketPath}: {error}");
        }

        return false;
    }
}

using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Redundancy.Simulation.Harness;

/// <summary>
/// What systemd is to a Type=notify service, for tests: a datagram socket bound at a path or an abstract name, whose
/// value for <c>NOTIFY_SOCKET</c> is <see cref="NotifySocket"/>, and everything received on it.
/// </summary>
public sealed class NotifySocketListener : IDisposable
{
    private readonly Socket _socket;
    private readonly Thread _reader;
    private readonly List<NotifyMessage> _messages = [];
    private readonly Lock _gate = new();
    private readonly string? _path;
    private volatile bool _closed;

    /// <summary>Binds at <paramref name="path"/>, or, when <paramref name="abstractName"/>, at that abstract name
    /// (then <see cref="NotifySocket"/> is '@' and the name, as systemd writes it).</summary>
    public NotifySocketListener(string path, bool abstractName = false)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        if (abstractName)
        {
            _socket.Bind(new UnixDomainSocketEndPoint("\0" + path));
            NotifySocket = "@" + path;
        }
        else
        {
            _socket.Bind(new UnixDomainSocketEndPoint(path));
            _path = path;
            NotifySocket = path;
        }

        _socket.ReceiveTimeout = 200;
        _reader = new Thread(Read) { IsBackground = true, Name = "notify-listener" };
        _reader.Start();
    }

    /// <summary>The value to give as <c>NOTIFY_SOCKET</c>.</summary>
    public string NotifySocket { get; }

    /// <summary>Everything received so far, in order.</summary>
    public IReadOnlyList<NotifyMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return _messages.ToArray();
            }
        }
    }

    /// <summary>The messages with line <paramref name="line"/>.</summary>
    public IReadOnlyList<NotifyMessage> With(string line) => Messages.Where(m => m.Has(line)).ToArray();

    /// <summary>Waits for a message matching <paramref name="match"/>; null when <paramref name="timeout"/> passes first.</summary>
    public NotifyMessage? WaitFor(Func<NotifyMessage, bool> match, TimeSpan timeout)
    {
        NotifyMessage? found = null;
        Poll.Until(() => (found = Messages.FirstOrDefault(match)) is not null, timeout);
        return found;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _closed = true;
        _reader.Join(TimeSpan.FromSeconds(1));
        _socket.Dispose();
        if (_path is not null)
        {
            File.Delete(_path);
        }
    }

    private void Read()
    {
        var buffer = new byte[4096];
        while (!_closed)
        {
            int n;
            try
            {
                n = _socket.Receive(buffer);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            var message = new NotifyMessage(Stopwatch.GetTimestamp(), Encoding.UTF8.GetString(buffer, 0, n));
            lock (_gate)
            {
                _messages.Add(message);
            }
        }
    }
}

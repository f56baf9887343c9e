using System.Net;
using System.Net.Sockets;

namespace Redundancy.Simulation.Harness;

/// <summary>
/// A TCP listener standing for the target of <c>witness.tcpTarget</c> (a SCADA server's port, say), optionally inside a
/// network namespace: it accepts every connection and closes it at once, on a thread of its own. Counts what it
/// accepted. Closed on dispose.
/// </summary>
public sealed class TcpTargetListener : IDisposable
{
    private readonly Socket _socket;
    private readonly Thread _thread;
    private long _accepted;

    /// <summary>Listens on <paramref name="address"/>:<paramref name="port"/>, inside <paramref name="netns"/> when given.</summary>
    public TcpTargetListener(string address, int port, string? netns = null)
    {
        Socket Create()
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Parse(address), port));
            s.Listen(64);
            return s;
        }

        _socket = netns is null ? Create() : NetnsPair.RunIn(netns, Create);
        _thread = new Thread(Accept) { IsBackground = true, Name = "tcp-target" };
        _thread.Start();
    }

    /// <summary>Connections accepted so far.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <inheritdoc />
    public void Dispose()
    {
        _socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Accept()
    {
        while (true)
        {
            try
            {
                using var c = _socket.Accept();
                Interlocked.Increment(ref _accepted);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return; // closed
            }
        }
    }
}

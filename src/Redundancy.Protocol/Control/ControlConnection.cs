using System.Net.Sockets;
using System.Text;

namespace Redundancy.Protocol.Control;

/// <summary>
/// One connection to an agent's control socket: a request line out, its answer line in, read as its op's type. The
/// transport every client shares (the field CLI, the test harness, the benchmarks). Not thread-safe: one request at a
/// time, as the protocol is.
/// </summary>
public sealed class ControlConnection : IDisposable
{
    /// <summary>How long an answer may take by default: past the longest events wait (30 s) with room to spare.</summary>
    public static readonly TimeSpan DefaultAnswerTimeout = TimeSpan.FromSeconds(60);

    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;

    /// <summary>Connects to the socket at <paramref name="path"/>; an answer that takes longer than
    /// <paramref name="answerTimeout"/> (default <see cref="DefaultAnswerTimeout"/>) fails with an <see cref="IOException"/>.</summary>
    /// <exception cref="SocketException">Nothing accepts at <paramref name="path"/>.</exception>
    public ControlConnection(string path, TimeSpan? answerTimeout = null)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
        {
            ReceiveTimeout = (int)(answerTimeout ?? DefaultAnswerTimeout).TotalMilliseconds,
            SendTimeout = (int)(answerTimeout ?? DefaultAnswerTimeout).TotalMilliseconds,
        };
        try
        {
            _socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        var stream = new NetworkStream(_socket, ownsSocket: false);
        _reader = new StreamReader(stream, Encoding.UTF8);
        _writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
    }

    /// <summary>Sends <paramref name="request"/> and reads the answer as <typeparamref name="T"/> (the answer type of its op).</summary>
    public T Send<T>(ControlRequest request)
        where T : ControlResponse
    {
        _writer.WriteLine(ControlProtocol.Format(request));
        return ControlProtocol.ParseResponse<T>(ReadAnswer());
    }

    /// <summary>Sends one raw request line and reads the answer's ok, v and error.</summary>
    public ControlResponse SendLine(string line)
    {
        _writer.WriteLine(line);
        return ControlProtocol.ParseResponse<ControlResponse>(ReadAnswer());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _writer.Dispose();
        _reader.Dispose();
        _socket.Dispose();
    }

    private string ReadAnswer() => _reader.ReadLine() ?? throw new IOException("control socket closed without an answer");
}

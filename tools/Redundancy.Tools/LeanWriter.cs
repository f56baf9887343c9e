using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace Redundancy.Tools;

/// <summary>
/// A control-socket client for the benchmarks' write loops: the same JSON lines as the harness's client, built and
/// read in reused buffers. The harness's client parses every answer into a document tree; at thousands of writes
/// a second its garbage collections and CPU sat in the measured latency and took CPU from the agents on a
/// two-core machine.
/// </summary>
internal sealed class LeanWriter : IDisposable
{
    private static readonly byte[] Ok = "\"ok\":true"u8.ToArray();
    private readonly Socket _socket;
    private readonly byte[] _request = new byte[256];
    private readonly byte[] _answer = new byte[64 * 1024];
    private readonly byte[] _prefix;

    public LeanWriter(string socketPath, string keyPrefix)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        _prefix = Encoding.UTF8.GetBytes($"{{\"op\":\"set\",\"key\":\"{keyPrefix}");
    }

    /// <summary>Sets key prefix + <paramref name="key"/> to {"i":<paramref name="value"/>}; true when the agent said ok.</summary>
    public bool Set(int key, int value)
    {
        var span = _request.AsSpan();
        _prefix.CopyTo(span);
        var n = _prefix.Length;
        Utf8Formatter.TryFormat(key, span[n..], out var w);
        n += w;
        n += Copy("\",\"value\":{\"i\":"u8, span[n..]);
        Utf8Formatter.TryFormat(value, span[n..], out w);
        n += w;
        n += Copy("}}\n"u8, span[n..]);
        _socket.Send(span[..n]);

        var got = 0;
        while (true)
        {
            var r = _socket.Receive(_answer.AsSpan(got));
            if (r <= 0)
            {
                throw new IOException("control socket closed");
            }

            got += r;
            if (_answer[got - 1] == (byte)'\n')
            {
                return _answer.AsSpan(0, got).IndexOf(Ok) >= 0;
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    private static int Copy(ReadOnlySpan<byte> from, Span<byte> to)
    {
        from.CopyTo(to);
        return from.Length;
    }
}

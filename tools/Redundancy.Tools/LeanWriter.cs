using System.Buffers;
using System.Net.Sockets;
using System.Text.Json;
using Redundancy.Protocol.Control;

namespace Redundancy.Tools;

/// <summary>
/// A control-socket client for the benchmarks' write loops: the protocol's own request and answer types, written and
/// read through reused buffers and writers. The harness's client goes through strings and a reader per answer; at
/// thousands of writes a second the garbage and CPU of a client sit in the measured latency and take CPU from the
/// agents on a two-core machine.
/// </summary>
internal sealed class LeanWriter : IDisposable
{
    private readonly Socket _socket;
    private readonly ArrayBufferWriter<byte> _value = new(64);
    private readonly ArrayBufferWriter<byte> _request = new(256);
    private readonly Utf8JsonWriter _valueWriter;
    private readonly Utf8JsonWriter _requestWriter;
    private readonly byte[] _answer = new byte[64 * 1024];
    private readonly string _prefix;

    public LeanWriter(string socketPath, string keyPrefix)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        _prefix = keyPrefix;
        _valueWriter = new Utf8JsonWriter(_value);
        _requestWriter = new Utf8JsonWriter(_request);
    }

    /// <summary>Sets key prefix + <paramref name="key"/> to {"i":<paramref name="value"/>}; true when the agent said ok.</summary>
    public bool Set(int key, int value) => Write(key, value).Ok;

    /// <summary>As <see cref="Set"/>, with the agent's whole answer (its error says why a write was refused).</summary>
    public WriteResponse Write(int key, int value)
    {
        _value.ResetWrittenCount();
        _valueWriter.Reset();
        _valueWriter.WriteStartObject();
        _valueWriter.WriteNumber("i"u8, value);
        _valueWriter.WriteEndObject();
        _valueWriter.Flush();
        using var document = JsonDocument.Parse(_value.WrittenMemory);

        _request.ResetWrittenCount();
        _requestWriter.Reset();
        ControlProtocol.Write(_requestWriter, new SetRequest(string.Concat(_prefix, key.ToString(System.Globalization.CultureInfo.InvariantCulture)), document.RootElement));
        _requestWriter.Flush();
        _request.Write("\n"u8);
        _socket.Send(_request.WrittenSpan);

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
                return ControlProtocol.ParseResponse<WriteResponse>(_answer.AsSpan(0, got - 1));
            }
        }
    }

    public void Dispose()
    {
        _valueWriter.Dispose();
        _requestWriter.Dispose();
        _socket.Dispose();
    }
}

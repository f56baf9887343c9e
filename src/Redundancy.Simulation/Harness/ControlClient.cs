using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Redundancy.Simulation.Harness;

/// <summary>A client of an agent's control socket: one JSON request per line, one JSON answer per line.</summary>
public sealed class ControlClient : IDisposable
{
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;

    /// <summary>Connects to the socket at <paramref name="path"/>.</summary>
    public ControlClient(string path)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(path));
        var stream = new NetworkStream(_socket, ownsSocket: false);
        _reader = new StreamReader(stream, Encoding.UTF8);
        _writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
    }

    /// <summary>Connects, retrying while the agent is still starting.</summary>
    public static ControlClient Connect(string path, TimeSpan timeout)
    {
        ControlClient? client = null;
        Poll.Until(() =>
        {
            try
            {
                client = new ControlClient(path);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, timeout, everyMs: 20);
        return client ?? throw new TimeoutException($"control socket {path} did not accept a connection");
    }

    /// <summary>Sends <paramref name="request"/> and returns the answer.</summary>
    public JsonObject Send(JsonObject request)
    {
        _writer.WriteLine(request.ToJsonString());
        var line = _reader.ReadLine() ?? throw new IOException("control socket closed");
        return (JsonObject)JsonNode.Parse(line)!;
    }

    /// <summary>Sends one raw request line (which may be JSON that <see cref="Send"/> could not produce) and returns the
    /// answer.</summary>
    public JsonObject SendLine(string line)
    {
        _writer.WriteLine(line);
        var answer = _reader.ReadLine() ?? throw new IOException("control socket closed without an answer");
        return (JsonObject)JsonNode.Parse(answer)!;
    }

    /// <summary>Sets <paramref name="key"/> to the JSON <paramref name="jsonValue"/>.</summary>
    public JsonObject Set(string key, string jsonValue) =>
        Send(new JsonObject { ["op"] = "set", ["key"] = key, ["value"] = JsonNode.Parse(jsonValue) });

    /// <summary>Reads <paramref name="key"/>.</summary>
    public JsonObject Get(string key) => Send(new JsonObject { ["op"] = "get", ["key"] = key });

    /// <summary>Lists every key.</summary>
    public JsonObject List() => Send(new JsonObject { ["op"] = "list" });

    /// <summary>Changes kept for audit after a split brain.</summary>
    public JsonObject Conflicts() => Send(new JsonObject { ["op"] = "conflicts" });

    /// <summary>Every key and value as compact JSON text, sorted: for comparing two nodes' states.</summary>
    public IReadOnlyList<(string Key, string Value)> State() =>
        (List() is var list && (bool)list["ok"]! ? list["items"]! : throw new InvalidOperationException($"list refused: {list["error"]}")).AsArray().Select(i => ((string)i!["key"]!, i["value"]!.ToJsonString())).OrderBy(kv => kv.Item1, StringComparer.Ordinal).ToArray();

    /// <summary>The node's status.</summary>
    public JsonObject Status() => Send(new JsonObject { ["op"] = "status" });

    /// <inheritdoc />
    public void Dispose()
    {
        _writer.Dispose();
        _reader.Dispose();
        _socket.Dispose();
    }
}

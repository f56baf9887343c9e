using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Redundancy.Agent.State;
using Redundancy.Core.State;
using Redundancy.Edges.Net;
using Redundancy.Edges.Storage;

namespace Redundancy.Agent.Control;

/// <summary>
/// The local control socket (a Unix domain socket, mode 0660): one JSON request per line, one JSON answer per
/// line. Requests: <c>{"op":"set","key":K,"value":V}</c>, <c>{"op":"delete","key":K}</c>, <c>{"op":"get","key":K}</c>,
/// <c>{"op":"list","prefix":P}</c>, <c>{"op":"status"}</c>. Answers carry <c>"ok":true</c> or
/// <c>"ok":false,"error":...</c>. Served on the thread pool, never on the heartbeat threads, through a
/// <see cref="BoundedListener"/>: at most <see cref="MaxConnections"/> clients, each closed after
/// <see cref="IdleTimeout"/> without a request, and requests of at most <see cref="MaxLine"/> bytes.
/// </summary>
internal sealed class ControlSocket : IDisposable
{
    /// <summary>Longest request, in UTF-8 bytes: a longer one is refused without being read into memory.</summary>
    internal const int MaxLine = 128 * 1024;

    /// <summary>Clients served at once: the CLI, a control application and some to spare.</summary>
    internal const int MaxConnections = 16;

    /// <summary>A client that sends no complete request (or reads no answer) for this long is closed.</summary>
    internal static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private readonly string _path;
    private readonly ControlState _state;
    private readonly Func<JsonObject> _status;
    private readonly ILogger _log;
    private readonly string _node;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private bool _bound;
    private int _disposed;

    public ControlSocket(string path, ControlState state, Func<JsonObject> status, ILogger log, string node, TimeProvider time)
    {
        _path = path;
        _state = state;
        _status = status;
        _log = log;
        _node = node;
        _time = time;
    }

    public void Start()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        UnixSocketPath.Claim(_path, "control.socket"); // checked at start-up too; a regular file is never deleted
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(_path));
        _bound = true;
        File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        _listener.Listen(MaxConnections);
        var options = new BoundedListenerOptions { MaxConnections = MaxConnections, IdleTimeout = IdleTimeout };
        var accept = new BoundedListener(_listener, options, Serve, new ListenerLog(_log, _node, "control socket", _time), _time,
            reason => Encoding.UTF8.GetBytes(Error($"control socket: {reason}; try again later").ToJsonString() + "\n"));
        _ = accept.Run(_stop.Token);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _listener?.Dispose();
        try
        {
            if (_bound)
            {
                File.Delete(_path); // ours; never another agent's, nor a file that was there
            }
        }
        catch (IOException)
        {
            // best effort
        }

        _stop.Dispose();
    }

    private async Task Serve(ListenerConnection connection)
    {
        connection.Admit(); // no handshake: the socket's file mode decides who may connect
        await using var stream = new NetworkStream(connection.Socket, ownsSocket: false);
        using var reader = new BoundedLineReader(stream, MaxLine);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 4096, leaveOpen: true) { AutoFlush = true, NewLine = "\n" };
        try
        {
            while (true)
            {
                var (status, line) = await reader.ReadLineAsync(connection.Token).ConfigureAwait(false);
                if (status == LineStatus.End)
                {
                    return;
                }

                connection.Busy(); // a sync write may wait for the standby longer than the idle timeout
                var answer = status == LineStatus.TooLong
                    ? Error($"request longer than {MaxLine} bytes: refused unread (the rest of that line is skipped)")
                    : await Handle(line!).ConfigureAwait(false);
                connection.Touch(); // a client that does not read its answers is closed at the idle timeout
                await writer.WriteLineAsync(answer.ToJsonString().AsMemory(), connection.Token).ConfigureAwait(false);
                connection.Touch();
            }
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            Log.ConnectionClosed(_log, _node, "control socket", $"no complete request or answer read for {IdleTimeout.TotalSeconds:F0} s");
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the client went away, or the agent is stopping
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Never unobserved, never the process: this connection ends, the socket goes on serving others.
            Log.ControlConnectionFailed(_log, ex.ToString());
        }
    }

    private async Task<JsonObject> Handle(string line)
    {
        JsonObject request;
        try
        {
            request = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException ex)
        {
            return Error($"request is not a JSON object: {ex.Message}");
        }

        string? op, key;
        try
        {
            op = Text(request, "op");
            key = Text(request, "key");
        }
        catch (ControlStateException ex)
        {
            return Error(ex.Message);
        }

        try
        {
            switch (op)
            {
                case "set" when key is not null && request.ContainsKey("value"):
                    var value = request["value"]?.ToJsonString() ?? "null";
                    return Written(await _state.SetAsync(key, value).ConfigureAwait(false));
                case "delete" when key is not null:
                    return Written(await _state.DeleteAsync(key).ConfigureAwait(false));
                case "get" when key is not null:
                    return _state.Get(key) is { } row ? Row(row) : Error($"no key {key}");
                case "list":
                    var prefix = Text(request, "prefix");
                    var items = new JsonArray(_state.List(prefix).Select(r => (JsonNode)Row(r)).ToArray());
                    return new JsonObject { ["ok"] = true, ["items"] = items };
                case "conflicts":
                    var conflicts = new JsonArray(_state.Conflicts().Select(c => (JsonNode)new JsonObject
                    {
                        ["epoch"] = c.Epoch,
                        ["sequence"] = c.Sequence,
                        ["key"] = c.Key,
                        ["value"] = c.Value is null ? null : Parsed(c.Key, c.Value),
                        ["time"] = DateTimeOffset.FromUnixTimeMilliseconds(c.TimeUnixMs).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                        ["movedAt"] = DateTimeOffset.FromUnixTimeMilliseconds(c.MovedAtUnixMs).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    }).ToArray());
                    return new JsonObject { ["ok"] = true, ["items"] = conflicts };
                case "status":
                    var status = _status();
                    status["ok"] = true;
                    return status;
                case "set" or "delete" or "get":
                    return Error($"'{op}' needs \"key\"{(op == "set" ? " and \"value\"" : string.Empty)}");
                default:
                    return Error($"unknown op '{op}': use set, delete, get, list, conflicts or status");
            }
        }
        catch (ControlStateException ex)
        {
            return Error(ex.Message);
        }
        catch (StorageException ex)
        {
            return Error(ex.Message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever it was (LiteDB on a failed disk, a bug), answer rather than drop the connection, and say what.
            return Error($"internal error: {ex.GetType().Name}: {ex.Message}");
        }
    }

    // JSON may escape an unpaired surrogate ("\ud800"), which System.Text.Json refuses to turn into a string.
    private static string? Text(JsonObject request, string name)
    {
        if (request[name]?.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return request[name]!.GetValue<string>();
        }
        catch (InvalidOperationException)
        {
            throw new ControlStateException($"\"{name}\" must be valid text: it has an unpaired surrogate, which UTF-8 cannot encode");
        }
    }

    private static JsonObject Written(Core.Replication.ChangeEntry e) =>
        new() { ["ok"] = true, ["epoch"] = e.Epoch, ["sequence"] = e.Sequence };

    private static JsonObject Row(StateRow r) => new()
    {
        ["ok"] = true,
        ["key"] = r.Key,
        ["value"] = Parsed(r.Key, r.Value),
        ["epoch"] = r.Epoch,
        ["sequence"] = r.Sequence,
        ["time"] = DateTimeOffset.FromUnixTimeMilliseconds(r.TimeUnixMs).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
    };

    // A stored value that is not JSON (written by an older build, or damaged) is reported by key, never thrown.
    private static JsonNode? Parsed(string key, string json) =>
        ControlStateRules.JsonProblem(key, json) is { } problem ? throw new ControlStateException($"stored {problem}") : JsonNode.Parse(json);

    private static JsonObject Error(string message) => new() { ["ok"] = false, ["error"] = message };
}

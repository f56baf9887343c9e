using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Redundancy.Agent.State;
using Redundancy.Agent.Status;
using Redundancy.Core.State;
using Redundancy.Edges.Net;
using Redundancy.Edges.Storage;
using Redundancy.Protocol.Control;

namespace Redundancy.Agent.Control;

/// <summary>
/// The local control socket (a Unix domain socket, mode 0660: the agent's user and group may connect): the control
/// protocol of <see cref="ControlProtocol"/>, one JSON request per line, one JSON answer per line (docs/control-protocol.md).
/// Every caller is known by its kernel-recorded credentials (SO_PEERCRED): reading ops are open to whoever can open the
/// socket, changing ops only to those <see cref="ControlAccess"/> lets through, and each accepted change is a Command
/// event naming the uid. Served on the thread pool, never on the heartbeat threads, through a
/// <see cref="BoundedListener"/>: at most <see cref="MaxConnections"/> clients, each closed after
/// <see cref="IdleTimeout"/> without a request, and requests of at most <see cref="MaxLine"/> bytes. Every request is
/// answered, a bad one with an error; none ends the connection or the process.
/// </summary>
internal sealed class ControlSocket : IDisposable
{
    /// <summary>Longest request, in UTF-8 bytes: a longer one is refused without being read into memory.</summary>
    internal const int MaxLine = 128 * 1024;

    /// <summary>Clients served at once: the CLI, a control application and some to spare.</summary>
    internal const int MaxConnections = 16;

    /// <summary>A client that sends no complete request (or reads no answer) for this long is closed.</summary>
    internal static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The longest the group database may take to say whether a caller is in <c>control.group</c>.</summary>
    internal static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(2);

    private readonly string _path;
    private readonly ControlState _state;
    private readonly OperatorCommands _commands;
    private readonly INodeStatusSource _status;
    private readonly NodeEvents _events;
    private readonly ControlAccess _access;
    private readonly ILogger _log;
    private readonly string _node;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private bool _bound;
    private int _disposed;

    public ControlSocket(string path, ControlState state, INodeStatusSource status, NodeEvents events, ControlAccess access, ILogger log, string node, TimeProvider time,
        OperatorCommands? commands = null)
    {
        _commands = commands ?? new OperatorCommands(null, null, time);
        _path = path;
        _state = state;
        _status = status;
        _events = events;
        _access = access;
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
            reason => Encoding.UTF8.GetBytes(ControlProtocol.Format(ControlProtocol.Failure($"control socket: {reason}; try again later")) + "\n"));
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
        connection.Admit(); // no handshake: the socket's file mode decides who may connect, the credentials what they may do
        var caller = new Caller(connection.Socket);
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

                connection.Busy(); // a sync write may wait for the standby, an events wait up to 30 s: past the idle timeout
                var answer = status == LineStatus.TooLong
                    ? ControlProtocol.Failure($"request longer than {MaxLine} bytes: refused unread (the rest of that line is skipped)")
                    : await Handle(line!, caller, connection.Token).ConfigureAwait(false);
                connection.Touch(); // a client that does not read its answers is closed at the idle timeout
                await writer.WriteLineAsync(Format(answer).AsMemory(), connection.Token).ConfigureAwait(false);
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

    private async Task<ControlResponse> Handle(string line, Caller caller, CancellationToken cancellationToken)
    {
        if (!ControlProtocol.TryParseRequest(line, out var request, out var error))
        {
            return ControlProtocol.Failure(error);
        }

        try
        {
            if (request.Changes && await Refusal(caller, request.Op, cancellationToken).ConfigureAwait(false) is { } refusal)
            {
                Log.ControlRefused(_log, _node, request.Op, caller.Uid, refusal);
                return ControlProtocol.Failure(refusal);
            }

            switch (request)
            {
                case SetRequest set:
                    var written = await _state.SetAsync(set.Key, ControlProtocol.JsonText(set.Value)).ConfigureAwait(false);
                    return Changed(caller, "set", set.Key, written);
                case DeleteRequest delete:
                    return Changed(caller, "delete", delete.Key, await _state.DeleteAsync(delete.Key).ConfigureAwait(false));
                case GetRequest get:
                    return _state.Get(get.Key) is { } row
                        ? new GetResponse { Ok = true, Key = row.Key, Value = Parsed(row.Key, row.Value), Epoch = row.Epoch, Sequence = row.Sequence, Time = At(row.TimeUnixMs) }
                        : ControlProtocol.Failure($"no key {ControlStateRules.Shown(get.Key)}");
                case ListRequest list:
                    var items = _state.List(list.Prefix).Select(r => new StateItem(r.Key, Parsed(r.Key, r.Value), r.Epoch, r.Sequence, At(r.TimeUnixMs))).ToArray();
                    return new ListResponse { Ok = true, Items = items };
                case ConflictsRequest:
                    var conflicts = _state.Conflicts().Select(c => new ConflictItem(
                        c.Key, c.Value is null ? null : Parsed(c.Key, c.Value), c.Value is null, c.Epoch, c.Sequence, At(c.TimeUnixMs), At(c.MovedAtUnixMs))).ToArray();
                    return new ConflictsResponse { Ok = true, Items = conflicts };
                case StatusRequest:
                    return new StatusResponse { Ok = true, Status = _status.Status() };
                case DiagnosticsRequest:
                    return new DiagnosticsResponse { Ok = true, Diagnostics = _status.Diagnostics() };
                case EventsRequest events:
                    return await Events(events, cancellationToken).ConfigureAwait(false);
                case MaintenanceRequest maintenance when _commands.ServesMaintenance:
                    return await _commands.MaintenanceAsync(maintenance.On, (int)caller.Uid, "over the control socket", cancellationToken).ConfigureAwait(false);
                case SwitchoverRequest switchover when _commands.ServesSwitchover:
                    return await _commands.SwitchoverAsync(switchover.Force == true, switchover.TimeoutMs, (int)caller.Uid, cancellationToken).ConfigureAwait(false);
                case ReleaseStartupRequest when _commands.ServesMaintenance:
                    return await _commands.ReleaseStartupAsync((int)caller.Uid, "over the control socket", cancellationToken).ConfigureAwait(false);
                case DrillRequest drill when _commands.ServesSwitchover:
                    return await _commands.DrillAsync(drill.TimeoutMs, (int)caller.Uid, cancellationToken).ConfigureAwait(false);
                default:
                    return ControlProtocol.Failure($"op '{request.Op}' is not served by this agent");
            }
        }
        catch (ControlStateException ex)
        {
            return ControlProtocol.Failure(ex.Message);
        }
        catch (StorageException ex)
        {
            return ControlProtocol.Failure(ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // the agent is stopping: the connection ends
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever it was (LiteDB on a failed disk, a bug), answer rather than drop the connection, and say what.
            return ControlProtocol.Failure($"internal error: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private async Task<ControlResponse> Events(EventsRequest request, CancellationToken cancellationToken)
    {
        if (request.WaitMs is > 0 and var wait)
        {
            await _events.Stream.WaitAsync(request.Since, TimeSpan.FromMilliseconds(Math.Min(wait, ControlProtocol.MaxWaitMs)), cancellationToken).ConfigureAwait(false);
        }

        var page = _events.Stream.Read(request.Since, request.Max ?? int.MaxValue);
        return new EventsResponse { Ok = true, Events = page.Events, Next = page.Next, Missed = page.Missed, Last = page.Last };
    }

    // Decided once per connection (its credentials cannot change); a lookup in the group database is bounded.
    private async Task<string?> Refusal(Caller caller, string op, CancellationToken cancellationToken)
    {
        if (caller.Credentials is not { } credentials)
        {
            return $"may not {op}: the caller's credentials could not be read ({caller.Problem}), so nothing may be changed on this connection";
        }

        if (caller.MayChange is null)
        {
            try
            {
                caller.MayChange = _access.NeedsLookup(credentials)
                    ? await Task.Run(() => _access.MayChange(credentials), cancellationToken).WaitAsync(LookupTimeout, _time, cancellationToken).ConfigureAwait(false)
                    : _access.MayChange(credentials);
            }
            catch (TimeoutException)
            {
                return $"uid {credentials.Uid.ToString(CultureInfo.InvariantCulture)} may not {op}: its groups could not be read within {LookupTimeout.TotalSeconds:F0} s (the group database is slow); try again";
            }
        }

        return caller.MayChange.Value ? null : _access.Refusal(credentials.Uid, op);
    }

    private WriteResponse Changed(Caller caller, string op, string key, Core.Replication.ChangeEntry entry)
    {
        _events.StateWritten(op, (int)caller.Uid, ControlStateRules.Shown(key), entry.Epoch, entry.Sequence);
        return new WriteResponse { Ok = true, Epoch = entry.Epoch, Sequence = entry.Sequence };
    }

    private static string Format(ControlResponse answer)
    {
        try
        {
            return ControlProtocol.Format(answer);
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or NotSupportedException or ArgumentException)
        {
            return ControlProtocol.Format(ControlProtocol.Failure($"internal error: the answer could not be written: {ex.Message}"));
        }
    }

    private static DateTimeOffset At(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);

    // A stored value that is not JSON (written by an older build, or damaged) is reported by key, never thrown.
    private static JsonElement Parsed(string key, string json) =>
        ControlStateRules.JsonProblem(key, json) is { } problem ? throw new ControlStateException($"stored {problem}") : ControlProtocol.Value(json);

    /// <summary>One connection's caller: its credentials, read once, and what it may do, decided on its first change.</summary>
    private sealed class Caller
    {
        public Caller(Socket socket)
        {
            try
            {
                Credentials = PeerCredentials.Of(socket);
            }
            catch (IOException ex)
            {
                Problem = ex.Message;
            }
        }

        public PeerCredentials? Credentials { get; }

        public string? Problem { get; }

        /// <summary>The uid for logs and events; -1 when unknown.</summary>
        public long Uid => Credentials is { } c ? c.Uid : -1;

        public bool? MayChange { get; set; }
    }
}
